package operator

import (
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/controller/raycluster"
	"github.com/raykube/raykube/internal/raypod"
)

// leaderElectionID names the lease replicas of the operator compete for.
const leaderElectionID = "raykube-operator.ray.io"

// eventSource is the reporting controller of the operator's events.
const eventSource = "raykube-operator"

// Scheme returns the types the operator reads and writes.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := rayv1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// NewManager returns a controller manager for cfg with the RayCluster controller registered.
// It does not start it.
func NewManager(cfg *rest.Config, opts Options, log logr.Logger) (ctrl.Manager, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = opts.KubeAPIQPS, opts.KubeAPIBurst
	scheme, err := Scheme()
	if err != nil {
		return nil, fmt.Errorf("building the scheme: %w", err)
	}
	cacheOpts, err := cacheOptions(opts.WatchNamespaces)
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOpts,
		Logger:                        log,
		Metrics:                       metricsserver.Options{BindAddress: opts.MetricsAddr},
		HealthProbeBindAddress:        opts.HealthProbeAddr,
		PprofBindAddress:              opts.PprofAddr,
		LeaderElection:                opts.LeaderElect,
		LeaderElectionID:              leaderElectionID,
		LeaderElectionNamespace:       opts.LeaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
		Controller:                    config.Controller{SkipNameValidation: &opts.SeveralManagersPerProcess},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the controller manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}

	reconciler := raycluster.NewReconciler(mgr.GetClient(), mgr.GetEventRecorder(eventSource),
		clock.RealClock{}, raycluster.Config{
			Pods:           raypod.Options{OperatorName: opts.OperatorName, ClusterDomain: opts.ClusterDomain},
			PodConcurrency: opts.PodCreateConcurrency,
		})
	if err := reconciler.SetupWithManager(mgr, opts.ReconcileConcurrency); err != nil {
		return nil, fmt.Errorf("registering the RayCluster controller: %w", err)
	}
	return mgr, nil
}
