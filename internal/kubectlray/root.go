// Package kubectlray is the kubectl plugin `kubectl ray`: it lists Ray clusters, their worker
// groups and pods, and creates, scales and deletes clusters, reading and writing RayCluster
// resources through the Kubernetes API.
package kubectlray

import (
	"context"
	"fmt"

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
	return root
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
