// Command raykube-operator runs the RayCluster controller.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
)

func main() {
	opts := operator.DefaultOptions()
	fs := pflag.NewFlagSet("raykube-operator", pflag.ExitOnError)
	opts.BindFlags(fs)
	// controller-runtime registers --kubeconfig on the standard flag set.
	fs.AddGoFlagSet(flag.CommandLine)
	// With ExitOnError, Parse exits on a bad flag.
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "raykube-operator: unexpected arguments %q: it takes flags only\n", fs.Args())
		os.Exit(2)
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(os.Stderr, "raykube-operator: %v\n", err)
		os.Exit(2)
	}
	log := logging.New(opts.LogFormat, opts.Verbosity)
	ctrl.SetLogger(log)

	cfg, err := ctrl.GetConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "raykube-operator: cannot load the kubeconfig: %v\n", err)
		os.Exit(1)
	}
	mgr, err := operator.NewManager(cfg, opts, log)
	if err != nil {
		fmt.Fprintf(os.Stderr, "raykube-operator: cannot start with the Kubernetes API server at %s: %v\n",
			cfg.Host, err)
		os.Exit(1)
	}
	log.Info("Starting raykube-operator", "watchNamespaces", opts.WatchNamespaces,
		"leaderElect", opts.LeaderElect)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		fmt.Fprintf(os.Stderr, "raykube-operator: stopped with an error: %v\n", err)
		os.Exit(1)
	}
}
