//go:build integration

package raycluster_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// tokenEnv returns where each Ray container of the cluster's pods reads RAY_AUTH_TOKEN from.
func tokenEnv(t *testing.T, c *rayv1.RayCluster) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range listPods(t, c, nil) {
		for _, ctr := range append(p.Spec.InitContainers, p.Spec.Containers...) {
			for _, e := range ctr.Env {
				if e.Name == "RAY_AUTH_TOKEN" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					out[p.Labels["ray.io/group"]+"/"+ctr.Name] = e.ValueFrom.SecretKeyRef.Name + "#" +
						e.ValueFrom.SecretKeyRef.Key
				}
			}
		}
	}
	return out
}

// TestTokenAuthGeneratedSecret: authOptions mode token makes the operator create one Secret
// with a random token, owned by the cluster, and every Ray container read it; the token does not
// change on later reconciles.
func TestTokenAuthGeneratedSecret(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "locked").withGroup("small", 1).edit(func(c *rayv1.RayCluster) {
		c.Spec.AuthOptions = &rayv1.AuthOptions{Mode: rayv1.AuthModeToken}
	}).create(t)
	waitForPods(t, c, nil, 2)
	want := map[string]string{"headgroup/ray-head": "locked#auth_token",
		"small/wait-gcs-ready": "locked#auth_token", "small/ray-worker": "locked#auth_token"}
	if diff := cmp.Diff(want, tokenEnv(t, c)); diff != "" {
		t.Errorf("RAY_AUTH_TOKEN sources (-want +got):\n%s", diff)
	}
	secret := &corev1.Secret{}
	eventually(t, "the token Secret", func() error {
		return env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "locked"}, secret)
	})
	token := string(secret.Data["auth_token"])
	if len(token) != 43 { // 32 random bytes, unpadded base64
		t.Errorf("token %q has %d characters, want 43", token, len(token))
	}
	stored := getCluster(t, c)
	if !metav1.IsControlledBy(secret, stored) {
		t.Errorf("the token Secret is not controlled by the cluster: %v", secret.OwnerReferences)
	}
	waitForEventMessage(t, c, "Created Secret locked")

	update(t, c, func(c *rayv1.RayCluster) { c.Spec.WorkerGroupSpecs[0].Replicas = ptr.To[int32](2) })
	waitForPods(t, c, nil, 3)
	runAll(t, c)
	waitForState(t, c, rayv1.Ready)
	again := &corev1.Secret{}
	if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(secret), again); err != nil {
		t.Fatal(err)
	}
	if string(again.Data["auth_token"]) != token {
		t.Errorf("the token changed from %q to %q after a reconcile", token, again.Data["auth_token"])
	}
}

// TestTokenAuthUserSecret: with authOptions.secretName the pods read the user's Secret and the
// operator creates none.
func TestTokenAuthUserSecret(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "mine").withGroup("small", 1).edit(func(c *rayv1.RayCluster) {
		c.Spec.AuthOptions = &rayv1.AuthOptions{SecretName: ptr.To("team-token")}
	}).create(t)
	waitForPods(t, c, nil, 2)
	want := map[string]string{"headgroup/ray-head": "team-token#auth_token",
		"small/wait-gcs-ready": "team-token#auth_token", "small/ray-worker": "team-token#auth_token"}
	if diff := cmp.Diff(want, tokenEnv(t, c)); diff != "" {
		t.Errorf("RAY_AUTH_TOKEN sources (-want +got):\n%s", diff)
	}
	runAll(t, c)
	waitForState(t, c, rayv1.Ready)
	err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "mine"}, &corev1.Secret{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("reading Secret mine: %v, want NotFound: the user's Secret is used", err)
	}
}
