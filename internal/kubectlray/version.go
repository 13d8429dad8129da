package kubectlray

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// newVersionCommand returns `kubectl ray version`.
func newVersionCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use: "version",
		Short: "Show the versions of the plugin and of the Kubernetes server, and whether " +
			"the server serves RayClusters",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			o.printf("kubectl-ray: %s\n", pluginVersion(o.Version))
			cfg, err := o.restConfig()
			if err != nil {
				return err
			}
			dc, err := discovery.NewDiscoveryClientForConfig(cfg)
			if err != nil {
				return err
			}
			server, err := dc.ServerVersion()
			if err != nil {
				return fmt.Errorf("reading the Kubernetes server's version: %w", err)
			}
			o.printf("Kubernetes server: %s\n", server.GitVersion)
			served := "served"
			_, err = dc.ServerResourcesForGroupVersion(rayv1.GroupVersion.String())
			if err != nil {
				if !apierrors.IsNotFound(err) {
					return fmt.Errorf("asking the server about %s: %w", rayv1.GroupVersion, err)
				}
				served = "not served: install the RayCluster CRD"
			}
			o.printf("RayCluster API (%s): %s\n", rayv1.GroupVersion, served)
			return nil
		},
	}
}

// pluginVersion is the version given at build time, else the module version Go recorded
// (the tag with `go install ...@version`, a pseudo-version or "(devel)" otherwise).
func pluginVersion(given string) string {
	if given != "" {
		return given
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
