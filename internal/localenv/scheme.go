package localenv

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	rayv1alpha1 "github.com/raykube/raykube/api/ray/v1alpha1"
)

// Scheme returns the Kubernetes built-in types and both RayCluster versions, for clients of the
// local environment.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, rayv1.AddToScheme, rayv1alpha1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(fmt.Sprintf("building the scheme: %v", err))
		}
	}
	return s
}
