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

	srv, err := apiserver.NewServer(ctrl.GetConfigOrDie(), opts)
	if err != nil {
		opts.Log.Error(err, "Cannot start the API server")
		os.Exit(1)
	}
	if err := srv.Run(ctrl.SetupSignalHandler()); err != nil {
		opts.Log.Error(err, "API server stopped with an error")
		os.Exit(1)
	}
}
