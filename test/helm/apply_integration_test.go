//go:build integration

package helm

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Every object of every rendering is accepted by a real API server: server-side apply, which
// refuses unknown fields, with dry run, so nothing is kept.
func TestRenderingsAreAccepted(t *testing.T) {
	e := env(t)
	for _, ns := range []string{releaseNamespace, "team-a", "team-b"} {
		ensureNamespace(t, e.Client, ns, nil)
	}
	for name, vs := range valueSets {
		t.Run(name, func(t *testing.T) {
			for _, u := range decodeManifest(t, mustRender(t, vs).Manifest) {
				err := e.Client.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
					client.FieldOwner("helm"), client.ForceOwnership, client.DryRunAll)
				if err != nil {
					t.Errorf("%s: %v", objectKey(u), err)
				}
			}
		})
	}
}

// The pods of every Deployment the chart renders are admitted in a namespace that enforces the
// Pod Security Standard "restricted".
func TestPodsAreRestricted(t *testing.T) {
	e := env(t)
	ctx := context.Background()
	ns := "restricted"
	ensureNamespace(t, e.Client, ns, map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted"})

	admit := func(spec corev1.PodSpec) error {
		// The ServiceAccount admission plugin wants the pod's account to exist.
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: spec.ServiceAccountName,
			Namespace: ns}}
		if err := e.Client.Create(ctx, sa); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "chart-", Namespace: ns},
			Spec: spec}
		return e.Client.Create(ctx, pod, client.DryRunAll)
	}

	for name, vs := range valueSets {
		t.Run(name, func(t *testing.T) {
			for _, dep := range renderedDeployments(t, vs) {
				if err := admit(dep.Spec.Template.Spec); err != nil {
					t.Errorf("Deployment %s: pod refused: %v", dep.Name, err)
				}
			}
		})
	}

	// The namespace really enforces: the same pod without its security contexts is refused.
	var dep appsv1.Deployment
	typed(t, find(t, decodeManifest(t, mustRender(t, valueSets["defaults"]).Manifest),
		"Deployment raykube-system/raykube-operator"), &dep)
	spec := dep.Spec.Template.Spec
	spec.SecurityContext = nil
	spec.Containers[0].SecurityContext = nil
	if err := admit(spec); err == nil || !strings.Contains(err.Error(), "violates PodSecurity") {
		t.Errorf("a pod without security contexts: error %v, want a PodSecurity refusal", err)
	}
}
