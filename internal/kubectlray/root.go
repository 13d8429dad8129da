// Package kubectlray is the kubectl plugin `kubectl ray`: it lists Ray clusters, their worker
// groups and pods, and creates, scales and deletes clusters, reading and writing RayCluster
// resources through the Kubernetes API.
package kubectlray

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Options are what every command shares.
type Options struct {
	// IOStreams are where commands read answers and write output and messages.
	IOStreams genericiooptions.IOStreams
	// Clock gives the time against which ages are shown.
	Clock clock.PassiveClock
	// Version is the plugin's own version, as `kubectl ray version` prints it.
	Version string

	configFlags *genericclioptions.ConfigFlags
	// wrapConfig, when set, changes the client configuration the flags select; tests use it
	// to slow the client down.
	wrapConfig func(*rest.Config) *rest.Config
}

// NewCommand returns the root command of the plugin, `kubectl ray`, with the usual kubectl
// connection flags (--kubeconfig, --context, -n, ...).
func NewCommand(o Options) *cobra.Command {
	o.configFlags = genericclioptions.NewConfigFlags(true)
	o.configFlags.WrapConfigFn = o.wrapConfig
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	root := &cobra.Command{
		Use:   "kubectl ray",
		Short: "Manage Ray clusters (RayCluster resources) on Kubernetes",
		Long: "kubectl ray lists Ray clusters, their worker groups and pods, and creates, " +
			"scales and deletes clusters.\nIt reads and writes RayCluster resources " +
			"(ray.io/v1) that the raykube or KubeRay operator reconciles.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// kubectl runs the plugin as "kubectl-ray"; help and errors should read as typed.
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ray"},
	}
	o.configFlags.AddFlags(root.PersistentFlags())
	root.AddCommand(
		newGetCommand(&o),
		newCreateCommand(&o),
		newScaleCommand(&o),
		newDeleteCommand(&o),
		newSessionCommand(&o),
		newVersionCommand(&o),
	)
	// Cobra would add these at the first Execute, too late to refuse unknown arguments.
	root.InitDefaultCompletionCmd()
	root.SetHelpCommand(newHelpCommand(root))
	refuseUnknownSubcommands(root)
	return root
}

// newHelpCommand returns `kubectl ray help [COMMAND...]`, which, unlike Cobra's, fails on a
// command that does not exist instead of printing the usage and exiting 0.
func newHelpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND...]",
		Short: "Help about any command",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil {
				return err
			}
			if len(rest) > 0 && target.HasSubCommands() {
				return target.RunE(target, rest)
			}
			return target.Help()
		},
	}
}

// subcommandsAnnotation, on a command whose subcommands are not called commands, says what
// they are called instead ("resource" for those of get, create and scale).
const subcommandsAnnotation = "kubectl-ray/subcommands"

// refuseUnknownSubcommands makes cmd and every command under it that only groups others
// fail on an argument that names none of them. Cobra would otherwise print the help of a
// command below the root and exit 0, as if `kubectl ray get foo` had done something. Without
// an argument such a command still prints its help.
func refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	what := "command"
	if kind := cmd.Annotations[subcommandsAnnotation]; kind != "" {
		what = kind
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		var names []string
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		return fmt.Errorf("unknown %s %q for %q: use one of %s",
			what, args[0], cmd.CommandPath(), strings.Join(names, ", "))
	}
}

// printf writes a result to standard output. Output that cannot be written is not worth an
// error of a command whose work is done.
func (o *Options) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(o.IOStreams.Out, format, args...)
}

// notef writes a note or a question to standard error, which keeps standard output for
// results.
func (o *Options) notef(format string, args ...any) {
	_, _ = fmt.Fprintf(o.IOStreams.ErrOut, format, args...)
}

// restConfig is the client configuration the connection flags select.
func (o *Options) restConfig() (*rest.Config, error) {
	return o.configFlags.ToRESTConfig()
}

// client returns a client for Kubernetes and RayCluster objects.
func (o *Options) client() (client.Client, error) {
	cfg, err := o.restConfig()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// scheme knows the Kubernetes built-in types and RayCluster.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(rayv1.AddToScheme(s))
	return s
}()

// readCluster connects and reads RayCluster name in the namespace of the flags.
func (o *Options) readCluster(ctx context.Context,
	name string) (client.Client, *rayv1.RayCluster, error) {
	ns, err := o.namespace()
	if err != nil {
		return nil, nil, err
	}
	c, err := o.client()
	if err != nil {
		return nil, nil, err
	}
	rc, err := getCluster(ctx, c, ns, name)
	return c, rc, err
}

// namespace is the namespace the flags or the kubeconfig's context select.
func (o *Options) namespace() (string, error) {
	ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	return ns, err
}
