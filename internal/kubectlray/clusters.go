package kubectlray

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// getCluster reads RayCluster name in namespace ns.
func getCluster(ctx context.Context, c client.Client, ns, name string) (*rayv1.RayCluster, error) {
	var rc rayv1.RayCluster
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &rc); err != nil {
		return nil, clusterError(err, ns, name, "reading")
	}
	return &rc, nil
}

// clusterError turns an error of the API about RayCluster name in ns into one line a person
// can act on: a missing cluster or a missing RayCluster API says so plainly, anything else
// says what was being done.
func clusterError(err error, ns, name, doing string) error {
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("RayCluster %q not found in namespace %q", name, ns)
	case apierrors.IsAlreadyExists(err):
		return fmt.Errorf("RayCluster %q already exists in namespace %q", name, ns)
	case meta.IsNoMatchError(err):
		return errNoRayClusterAPI
	}
	return fmt.Errorf("%s RayCluster %q in namespace %q: %w", doing, name, ns, err)
}

// errNoRayClusterAPI says that the API server does not serve RayClusters at all.
var errNoRayClusterAPI = errors.New("the API server does not serve RayClusters (ray.io/v1): " +
	"install the RayCluster CRD of raykube or KubeRay first")

// listError is clusterError for a list of RayClusters.
func listError(err error) error {
	if meta.IsNoMatchError(err) {
		return errNoRayClusterAPI
	}
	return fmt.Errorf("listing RayClusters: %w", err)
}

// jsonPatchOp is one operation of a JSON patch (RFC 6902).
type jsonPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// patchCluster applies a JSON patch to RayCluster rc. A JSON patch changes only the paths it
// names, so fields this program's types do not know (a newer CRD) survive, and its "test"
// operations make it fail instead of changing the wrong group when the list has changed since
// rc was read.
func patchCluster(ctx context.Context, c client.Client, rc *rayv1.RayCluster,
	ops []jsonPatchOp) error {
	data, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	if err := c.Patch(ctx, rc, client.RawPatch(types.JSONPatchType, data)); err != nil {
		return clusterError(err, rc.Namespace, rc.Name, "updating")
	}
	return nil
}

// findGroup returns the index of worker group name in rc, or -1.
func findGroup(rc *rayv1.RayCluster, name string) int {
	for i := range rc.Spec.WorkerGroupSpecs {
		if rc.Spec.WorkerGroupSpecs[i].GroupName == name {
			return i
		}
	}
	return -1
}

// groupNames lists the names of rc's worker groups.
func groupNames(rc *rayv1.RayCluster) []string {
	names := make([]string, 0, len(rc.Spec.WorkerGroupSpecs))
	for i := range rc.Spec.WorkerGroupSpecs {
		names = append(names, rc.Spec.WorkerGroupSpecs[i].GroupName)
	}
	return names
}
