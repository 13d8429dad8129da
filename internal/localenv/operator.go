package localenv

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
)

// RunOperator runs the raykube operator against the API server of kubeconfig until ctx ends.
// The local environment starts it as a child process (`raykube local operator`), so that it has
// its own log and can be stopped like the other components.
func RunOperator(ctx context.Context, kubeconfig string, opts operator.Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	log := logging.New(opts.LogFormat, opts.Verbosity)
	ctrl.SetLogger(log)
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return err
	}
	mgr, err := operator.NewManager(cfg, opts, log)
	if err != nil {
		return err
	}
	log.Info("Starting the raykube operator", "kubeconfig", kubeconfig,
		"metricsAddr", opts.MetricsAddr, "healthProbeAddr", opts.HealthProbeAddr)
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("running the operator: %w", err)
	}
	return nil
}

// RunAPIServer runs raykube's API server against the API server of kubeconfig until ctx ends.
// The local environment starts it as a child process (`raykube local apiserver`).
func RunAPIServer(ctx context.Context, kubeconfig string, opts apiserver.Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	opts.Log = logging.New(opts.LogFormat, opts.Verbosity)
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return err
	}
	srv, err := apiserver.NewServer(cfg, opts)
	if err != nil {
		return err
	}
	opts.Log.Info("Starting the raykube API server", "kubeconfig", kubeconfig,
		"httpAddr", opts.HTTPAddr, "grpcAddr", opts.GRPCAddr)
	if err := srv.Run(ctx); err != nil {
		return fmt.Errorf("running the API server: %w", err)
	}
	return nil
}
