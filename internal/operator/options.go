// Package operator assembles the raykube operator: its options and flags, the controller
// manager with a cache limited to Ray objects, and the controllers it runs.
package operator

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/raykube/raykube/internal/listenaddr"
)

// Options are the operator's settings, given once at start-up.
type Options struct {
	// MetricsAddr is where /metrics is served; "0" turns it off.
	MetricsAddr string
	// HealthProbeAddr is where /healthz and /readyz are served; "0" turns them off.
	HealthProbeAddr string
	// PprofAddr is where Go's profiling endpoints are served; empty turns them off.
	PprofAddr string
	// LeaderElect makes replicas elect one active leader.
	LeaderElect bool
	// LeaderElectionNamespace is where the leader lease lives; the in-cluster namespace when empty.
	LeaderElectionNamespace string
	// WatchNamespaces limits the operator to these namespaces; all namespaces when empty.
	WatchNamespaces []string
	// ReconcileConcurrency is how many clusters are reconciled at once.
	ReconcileConcurrency int
	// PodCreateConcurrency bounds the pod creates and deletes of one step that run at once.
	PodCreateConcurrency int
	// KubeAPIQPS and KubeAPIBurst limit the client's request rate to the API server.
	KubeAPIQPS   float32
	KubeAPIBurst int
	// ClusterDomain is the DNS domain of the Kubernetes cluster, used in worker addresses.
	ClusterDomain string
	// OperatorName is the value of the app.kubernetes.io/created-by label on Ray pods.
	OperatorName string
	// LogFormat is json or console.
	LogFormat string
	// Verbosity is the log level: 0 for changes people care about, higher for more detail.
	Verbosity int
	// SeveralManagersPerProcess lets one process create managers one after another (tests do);
	// controller names are otherwise unique per process, for their metrics.
	SeveralManagersPerProcess bool
}

// DefaultOptions returns the options used when no flag is given.
func DefaultOptions() Options {
	return Options{
		MetricsAddr:          ":8080",
		HealthProbeAddr:      ":8082",
		LeaderElect:          true,
		ReconcileConcurrency: 10,
		PodCreateConcurrency: 20,
		KubeAPIQPS:           100,
		KubeAPIBurst:         200,
		ClusterDomain:        "cluster.local",
		OperatorName:         "kuberay-operator",
		LogFormat:            "json",
	}
}

// BindFlags registers a flag for every option, with o's values as defaults.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.MetricsAddr, "metrics-bind-address", o.MetricsAddr,
		`address of the metrics endpoint; "0" turns it off`)
	fs.StringVar(&o.HealthProbeAddr, "health-probe-bind-address", o.HealthProbeAddr,
		`address of the /healthz and /readyz endpoints; "0" turns them off`)
	fs.StringVar(&o.PprofAddr, "pprof-addr", o.PprofAddr,
		"address of Go's /debug/pprof endpoints, e.g. 127.0.0.1:6060; off when empty")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect,
		"elect one active replica; turn off only when a single replica runs")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", o.LeaderElectionNamespace,
		"namespace of the leader lease; the operator's own namespace when empty")
	fs.StringSliceVar(&o.WatchNamespaces, "watch-namespaces", o.WatchNamespaces,
		"comma-separated namespaces to reconcile; all namespaces when empty")
	fs.IntVar(&o.ReconcileConcurrency, "reconcile-concurrency", o.ReconcileConcurrency,
		"how many RayClusters are reconciled at once")
	fs.IntVar(&o.PodCreateConcurrency, "pod-create-concurrency", o.PodCreateConcurrency,
		"how many pod creates or deletes of one cluster run at once")
	fs.Float32Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS,
		"requests per second to the Kubernetes API server")
	fs.IntVar(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst,
		"burst of requests to the Kubernetes API server")
	fs.StringVar(&o.ClusterDomain, "cluster-domain", o.ClusterDomain,
		"DNS domain of the Kubernetes cluster")
	fs.StringVar(&o.OperatorName, "operator-name", o.OperatorName,
		"value of the app.kubernetes.io/created-by label on Ray pods")
	fs.StringVar(&o.LogFormat, "log-format", o.LogFormat, "log format: json or console")
	fs.IntVarP(&o.Verbosity, "v", "v", o.Verbosity, "log verbosity (0: changes, 1-2: decisions)")
}

// Validate checks the options and names every one that is wrong.
func (o *Options) Validate() error {
	var errs []error
	if o.LogFormat != "json" && o.LogFormat != "console" {
		errs = append(errs, fmt.Errorf("--log-format must be json or console, not %q", o.LogFormat))
	}
	if o.ReconcileConcurrency < 1 {
		errs = append(errs, fmt.Errorf("--reconcile-concurrency must be at least 1, not %d",
			o.ReconcileConcurrency))
	}
	if o.PodCreateConcurrency < 1 {
		errs = append(errs, fmt.Errorf("--pod-create-concurrency must be at least 1, not %d",
			o.PodCreateConcurrency))
	}
	// !(qps > 0) also refuses NaN.
	if !(o.KubeAPIQPS > 0) || math.IsInf(float64(o.KubeAPIQPS), 0) {
		errs = append(errs, fmt.Errorf("--kube-api-qps must be a positive number, not %v", o.KubeAPIQPS))
	}
	if o.KubeAPIBurst < 1 {
		errs = append(errs, fmt.Errorf("--kube-api-burst must be at least 1, not %d", o.KubeAPIBurst))
	}
	if msgs := validation.IsDNS1123Subdomain(o.ClusterDomain); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--cluster-domain %q is not a DNS name: %s", o.ClusterDomain,
			strings.Join(msgs, "; ")))
	}
	if msgs := validation.IsValidLabelValue(o.OperatorName); o.OperatorName == "" || len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--operator-name %q must be a non-empty label value: %s",
			o.OperatorName, strings.Join(msgs, "; ")))
	}
	errs = append(errs, o.validateAddrs()...)
	if o.Verbosity < 0 {
		errs = append(errs, fmt.Errorf("--v must not be negative, not %d", o.Verbosity))
	}
	for _, ns := range o.WatchNamespaces {
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("--watch-namespaces: %q is not a namespace name: %s", ns,
				strings.Join(msgs, "; ")))
		}
	}
	return errors.Join(errs...)
}

// validateAddrs checks the listen addresses: each well formed unless it is the value that turns
// its endpoint off ("0", or empty for pprof), and pprof on loopback only.
func (o *Options) validateAddrs() []error {
	var errs []error
	for _, a := range []struct{ flag, addr, off string }{
		{"--metrics-bind-address", o.MetricsAddr, "0"},
		{"--health-probe-bind-address", o.HealthProbeAddr, "0"},
		{"--pprof-addr", o.PprofAddr, ""},
	} {
		if a.addr == a.off {
			continue
		}
		if err := listenaddr.Check(a.flag, a.addr); err != nil {
			errs = append(errs, err)
		}
	}
	wellFormed := listenaddr.Check("--pprof-addr", o.PprofAddr) == nil
	if o.PprofAddr != "" && wellFormed && !listenaddr.IsLoopback(o.PprofAddr) {
		errs = append(errs, fmt.Errorf("--pprof-addr %q must be a loopback address such as "+
			"127.0.0.1:6060: profiles show the operator's memory, which holds cluster data",
			o.PprofAddr))
	}
	return errs
}
