// Command raykube is raykube's command line. `raykube local` runs a Kubernetes control plane
// with simulated nodes and the raykube operator on this machine.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	// Output piped into a program that quits early (| head) must not kill raykube half-way
	// through starting or stopping the local environment.
	signal.Ignore(syscall.SIGPIPE)
	root := &cobra.Command{
		Use:           "raykube",
		Short:         "raykube runs Ray clusters on Kubernetes",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newLocalCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintf(os.Stderr, "raykube: %v\n", err)
		os.Exit(1)
	}
}
