//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestE2EInstallWithKustomize installs config/default with `make deploy`, as docs/install.md
// says, and waits until both Deployments are available: their pods pass admission in a
// namespace that enforces the restricted Pod Security Standard, are scheduled on the simulated
// nodes and become ready. KWOK runs them without containers, so the image is never pulled and
// the environment's own operator stays the only one that acts.
func TestE2EInstallWithKustomize(t *testing.T) {
	t.Parallel()
	const image = "registry.example.com/raykube:e2e"
	cmd := exec.Command("make", "--no-print-directory", "deploy", "IMG="+image,
		"KUBECTL="+suite.binaries.Kubectl())
	cmd.Dir = suite.root
	cmd.Env = append(os.Environ(), "KUBECONFIG="+suite.env.Kubeconfig)
	t.Cleanup(uninstallKeepingCRD)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make deploy: %v\n%s", err, out)
	}

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
}

// uninstallKeepingCRD removes what config/default installed but the CRD and the operator's
// ClusterRole, which the environment's own operator and the other tests use.
func uninstallKeepingCRD() {
	ctx := context.Background()
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "raykube-system"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "raykube-operator"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "raykube-apiserver"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "raykube-apiserver"}},
	} {
		_ = suite.env.Client.Delete(ctx, obj)
	}
}
