package service

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/apiserver/convert"
)

// Service answers the API's calls with a Kubernetes client.
type Service struct {
	client client.Client
	opts   convert.Options
}

// New returns a Service that works through c, which should not be cached: a cluster created a
// moment ago must be readable at once, and the server must not hold every RayCluster in memory.
func New(c client.Client, opts convert.Options) *Service {
	return &Service{client: c, opts: opts}
}
