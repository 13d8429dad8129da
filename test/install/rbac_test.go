//go:build integration

package install

import (
	"context"
	"strings"
	"testing"

	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// access is a set of verbs on a resource ("rayclusters/status" for a subresource) in a
// namespace (every namespace when empty), optionally on one object.
type access struct {
	verbs, group, resource, namespace, name string
}

// userNamespace stands for any namespace Ray clusters live in.
const userNamespace = "team-a"

// operatorNeeds is what the operator does: the RayCluster controller's reads, writes and events
// (internal/controller/raycluster), its cache's lists and watches (internal/operator), and
// leader election in its own namespace.
var operatorNeeds = []access{
	{"get list watch update patch", "ray.io", "rayclusters", "", ""},
	{"get update patch", "ray.io", "rayclusters/status", userNamespace, ""},
	{"get list watch create delete deletecollection patch", "", "pods", "", ""},
	{"get list watch create", "", "services", "", ""},
	{"get list watch create", "", "serviceaccounts", "", ""},
	{"get list watch create", "networking.k8s.io", "ingresses", "", ""},
	{"get list watch create", "rbac.authorization.k8s.io", "roles", "", ""},
	{"get list watch create", "rbac.authorization.k8s.io", "rolebindings", "", ""},
	{"create patch", "events.k8s.io", "events", userNamespace, ""},
	{"create", "coordination.k8s.io", "leases", namespace, ""},
	{"get update", "coordination.k8s.io", "leases", namespace, "raykube-operator.ray.io"},
	{"create patch", "", "events", namespace, ""},
}

// operatorMustNot are permissions the operator has no use for.
var operatorMustNot = []access{
	{"update delete", "", "secrets", userNamespace, ""},
	{"create", "", "configmaps", userNamespace, ""},
	{"delete", "ray.io", "rayclusters", userNamespace, ""},
	{"update", "coordination.k8s.io", "leases", "kube-system", "kube-scheduler"},
	{"update", "coordination.k8s.io", "leases", namespace, "another-lease"},
	{"create", "", "events", userNamespace, ""},
}

// apiServerNeeds is what the API server does: RayClusters and compute-template ConfigMaps
// (internal/apiserver/service), the events and pods a cluster's answer lists, and the reviews
// of --auth=kubernetes (internal/apiserver/auth).
var apiServerNeeds = []access{
	{"create get delete", "ray.io", "rayclusters", userNamespace, ""},
	{"list", "ray.io", "rayclusters", "", ""},
	{"create get delete", "", "configmaps", userNamespace, ""},
	{"list", "", "configmaps", "", ""},
	{"list", "", "events", userNamespace, ""},
	{"list", "", "pods", userNamespace, ""},
	{"create", "authentication.k8s.io", "tokenreviews", "", ""},
	{"create", "authorization.k8s.io", "subjectaccessreviews", "", ""},
}

// apiServerMustNot are permissions the API server has no use for.
var apiServerMustNot = []access{
	{"get list delete", "", "secrets", userNamespace, ""},
	{"update patch", "ray.io", "rayclusters", userNamespace, ""},
	{"update", "", "configmaps", userNamespace, ""},
	{"get delete", "", "pods", userNamespace, ""},
	{"create", "", "events", userNamespace, ""},
}

// TestServiceAccountPermissions asks the API server, with a SubjectAccessReview per verb,
// whether each Deployment's ServiceAccount may do what its program does, through the RBAC
// objects config/default installed, and may not do what it has no use for.
func TestServiceAccountPermissions(t *testing.T) {
	install(t)
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		serviceAccount string
		allowed        []access
		denied         []access
	}{
		{operatorName, operatorNeeds, operatorMustNot},
		{apiName, apiServerNeeds, apiServerMustNot},
	} {
		t.Run(tc.serviceAccount, func(t *testing.T) {
			for want, accesses := range map[bool][]access{true: tc.allowed, false: tc.denied} {
				for _, a := range accesses {
					for _, verb := range strings.Fields(a.verbs) {
						got := allowed(t, cs, tc.serviceAccount, verb, a)
						if got != want {
							t.Errorf("%s may %s %s (group %q, namespace %q, name %q): %v, "+
								"want %v", tc.serviceAccount, verb, a.resource, a.group,
								a.namespace, a.name, got, want)
						}
					}
				}
			}
		})
	}
}

// allowed asks whether a ServiceAccount of namespace raykube-system may do verb on a.
func allowed(t *testing.T, cs kubernetes.Interface, serviceAccount, verb string, a access) bool {
	t.Helper()
	resource, subresource, _ := strings.Cut(a.resource, "/")
	review, err := cs.AuthorizationV1().SubjectAccessReviews().Create(context.Background(),
		&authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
			User: "system:serviceaccount:" + namespace + ":" + serviceAccount,
			Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace,
				"system:authenticated"},
			ResourceAttributes: &authzv1.ResourceAttributes{Verb: verb, Group: a.group,
				Resource: resource, Subresource: subresource, Namespace: a.namespace,
				Name: a.name},
		}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("reviewing %s %s for %s: %v", verb, a.resource, serviceAccount, err)
	}
	return review.Status.Allowed
}
