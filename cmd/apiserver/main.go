// Command raykube-apiserver serves Ray clusters and compute templates over HTTP+JSON and gRPC.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/logging"
)

func main() {
	opts := apiserver.DefaultOptions()
	fs := pflag.NewFlagSet("raykube-apiserver", pflag.ExitOnError)
	opts.BindFlags(fs)
	if kubeconfig := flag.CommandLine.Lookup("kubeconfig"); kubeconfig != nil {
		fs.AddGoFlag(kubeconfig) // controller-runtime's --kubeconfig; KUBECONFIG works too
	}
	_ = fs.Parse(os.Args[1:]) // with ExitOnError, Parse exits on a bad flag
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(os.Stderr, "raykube-apiserver: %v\n", err)
		os.Exit(2)
	}
	opts.Log = logging.New(opts.LogFormat, opts.Verbosity)
	ctrl.SetLogger(opts.Log)

	// GetConfig, not GetConfigOrDie: a kubeconfig that cannot be read is one line on standard
	// error, not a logged stack trace.
	cfg, err := ctrl.GetConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "raykube-apiserver: cannot load the kubeconfig: %v\n", err)
		os.Exit(1)
	}
	srv, err := apiserver.NewServer(cfg, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "raykube-apiserver: cannot start: %v\n", err)
		os.Exit(1)
	}
	if err := srv.Run(ctrl.SetupSignalHandler()); err != nil {
		fmt.Fprintf(os.Stderr, "raykube-apiserver: stopped with an error: %v\n", err)
		os.Exit(1)
	}
}
