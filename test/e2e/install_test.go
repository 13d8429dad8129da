//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/localenv"
)

// TestE2EInstallWithKustomize installs config/default with `make deploy`, as docs/install.md
// says, and waits until both Deployments are available: their pods pass admission in a
// namespace that enforces the restricted Pod Security Standard, are scheduled on the simulated
// nodes and become ready. KWOK runs them without containers, so the image is never pulled and
// the environment's own operator stays the only one that acts. Neither the install nor its
// removal touches the RBAC of the environment's own operator.
func TestE2EInstallWithKustomize(t *testing.T) {
	t.Parallel()
	const image = "registry.example.com/raykube:e2e"
	cmd := exec.Command("make", "--no-print-directory", "deploy", "IMG="+image,
		"KUBECTL="+suite.binaries.Kubectl())
	cmd.Dir = suite.root
	cmd.Env = append(os.Environ(), "KUBECONFIG="+suite.env.Kubeconfig)
	uninstalled := false
	t.Cleanup(func() {
		if !uninstalled {
			uninstallKeepingCRD(t)
		}
	})
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make deploy: %v\n%s", err, out)
	}
	checkLocalOperatorRBAC(t)

	for _, name := range []string{"raykube-operator", "raykube-apiserver"} {
		eventually(t, "Deployment "+name+" available", time.Minute, func() error {
			d := &appsv1.Deployment{}
			key := client.ObjectKey{Namespace: "raykube-system", Name: name}
			if err := suite.env.Client.Get(context.Background(), key, d); err != nil {
				return err
			}
			if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
				t.Fatalf("Deployment %s runs image %q, want %q", name, got, image)
			}
			for _, c := range d.Status.Conditions {
				if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
					return nil
				}
			}
			return fmt.Errorf("%d of %d replicas available; conditions %+v",
				d.Status.AvailableReplicas, d.Status.Replicas, d.Status.Conditions)
		})
	}

	// The environment is one to try installs on: removing one must leave it working.
	uninstallKeepingCRD(t)
	uninstalled = true
	checkLocalOperatorRBAC(t)
}

// uninstallKeepingCRD removes what `make undeploy` would but the CRD, which the other tests'
// clusters need: every other object of config/default, the operator's ClusterRole
// raykube-operator included.
func uninstallKeepingCRD(t *testing.T) {
	t.Helper()
	cmd := exec.Command(suite.binaries.Kubectl(), "kustomize", "config/default")
	cmd.Dir = suite.root
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("kubectl kustomize config/default: %v", err)
		return
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Errorf("decoding config/default: %v", err)
			return
		}
		if len(obj.Object) == 0 || obj.GetKind() == "CustomResourceDefinition" {
			continue
		}
		err = suite.env.Client.Delete(context.Background(), obj)
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
	}
}

// checkLocalOperatorRBAC checks that the environment's own operator still holds its
// permissions: a ClusterRole and binding of the environment's own, which neither
// config/default nor the Helm chart creates or deletes.
func checkLocalOperatorRBAC(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	binding := &rbacv1.ClusterRoleBinding{}
	key := client.ObjectKey{Name: localenv.OperatorBinding}
	if err := suite.env.Client.Get(ctx, key, binding); err != nil {
		t.Fatalf("the environment's operator binding: %v", err)
	}
	if want := localenv.LocalName("raykube-operator"); binding.RoleRef.Name != want {
		t.Errorf("the environment's operator is bound to %s, want %s", binding.RoleRef.Name, want)
	}
	for _, attrs := range []authorizationv1.ResourceAttributes{
		{Group: "ray.io", Resource: "rayclusters", Subresource: "status", Verb: "update"},
		{Resource: "pods", Verb: "create", Namespace: "default"},
	} {
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: binding.Subjects[0].Name, ResourceAttributes: &attrs}}
		if err := suite.env.Client.Create(ctx, review); err != nil {
			t.Fatal(err)
		}
		if !review.Status.Allowed {
			t.Errorf("the environment's operator may no longer %s %s/%s: %s", attrs.Verb,
				attrs.Resource, attrs.Subresource, review.Status.Reason)
		}
	}
}
