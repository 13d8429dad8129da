package kubectlray

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// newDeleteCommand returns `kubectl ray delete`.
func newDeleteCommand(o *Options) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a Ray cluster, with its pods and services",
		Long: "Delete a RayCluster. Kubernetes then deletes its pods, services and the other " +
			"objects the operator made for it.\nAsks for confirmation unless given -y.",
		Example: "  kubectl ray delete demo\n  kubectl ray delete demo -y",
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Delete without asking for confirmation")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		// raycluster/NAME, as kubectl writes a resource, names the same cluster.
		name := strings.TrimPrefix(args[0], "raycluster/")
		c, rc, err := o.readCluster(cmd.Context(), name)
		if err != nil {
			return err
		}
		ns := rc.Namespace
		if !yes && !confirm(o, fmt.Sprintf("Delete RayCluster %q in namespace %q?", name, ns)) {
			o.printf("Nothing deleted\n")
			return nil
		}
		if err := c.Delete(cmd.Context(), rc); err != nil {
			return clusterError(err, ns, name, "deleting")
		}
		o.printf("Deleted RayCluster %q in namespace %q\n", name, ns)
		return nil
	}
	return cmd
}

// confirm asks question on standard error, which keeps standard output for results, and
// reports whether the answer is yes; no answer is no.
func confirm(o *Options, question string) bool {
	o.notef("%s [y/N]: ", question)
	answer, err := bufio.NewReader(o.IOStreams.In).ReadString('\n')
	if err != nil {
		// No line came (end of input): end the question's line, as typing Enter would.
		o.notef("\n")
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true
	}
	return false
}
