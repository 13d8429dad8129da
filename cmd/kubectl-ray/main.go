// Command kubectl-ray is the kubectl plugin `kubectl ray`: on the PATH, kubectl runs it for
// `kubectl ray ...`. It lists, creates, scales and deletes Ray clusters.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/logr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/raykube/raykube/internal/kubectlray"
)

// version is the plugin's version, set with -ldflags "-X main.version=...".
var version string

func main() {
	// The plugin reports errors itself; the client library would otherwise complain, on
	// standard error, that no logger was set.
	ctrllog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cmd := kubectlray.NewCommand(kubectlray.Options{
		IOStreams: genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr},
		Version:   version,
	})
	err := cmd.ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
