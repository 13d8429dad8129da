//go:build integration

package apiserver_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// TestAuthentication checks the server with --auth=kubernetes: no token is 401, a token
// Kubernetes does not know is 401, a valid token of a user without permissions in the namespace
// is 403 and creates nothing, and a RoleBinding makes the same calls succeed.
func TestAuthentication(t *testing.T) {
	ns := newNamespace(t)
	token := serviceAccountToken(t, ns, "alice")
	templates := "/apis/v1/namespaces/" + ns + "/compute_templates"
	clusters := "/apis/v1/namespaces/" + ns + "/clusters"
	template := fmt.Sprintf(`{"name": "head", "namespace": %q, "cpu": 1, "memory": 1}`, ns)

	r := call(t, secured, http.MethodGet, clusters, nil, "")
	r.expectError(t, http.StatusUnauthorized, 16, "bearer token")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("a 401 without WWW-Authenticate")
	}
	call(t, secured, http.MethodGet, clusters, nil, "not-a-token").
		expectError(t, http.StatusUnauthorized, 16)

	call(t, secured, http.MethodPost, templates, template, token).
		expectError(t, http.StatusForbidden, 7, "may not create configmaps", ns)
	call(t, secured, http.MethodPost, clusters, clusterJSON(ns, "denied"), token).
		expectError(t, http.StatusForbidden, 7, "may not create rayclusters", ns)
	call(t, secured, http.MethodGet, "/apis/v1/clusters", nil, token).
		expectError(t, http.StatusForbidden, 7, "in all namespaces")
	if n := len(rayClusters(t, ns)); n != 0 {
		t.Fatalf("%d RayClusters created without permission", n)
	}
	cm := &corev1.ConfigMap{}
	if err := env.Client.Get(context.Background(), clientKey(ns, "head"), cm); err == nil {
		t.Fatal("a compute template was created without permission")
	}

	grant(t, ns, "alice")
	// The RBAC authorizer of kube-apiserver sees the new binding after a moment.
	eventually(t, "the binding takes effect", func() error {
		r := call(t, secured, http.MethodPost, templates, template, token)
		if r.status != http.StatusOK {
			return fmt.Errorf("status %d: %s", r.status, r.body)
		}
		return nil
	})
	call(t, secured, http.MethodPost, templates, `{"name": "gpu-worker", "namespace": "`+ns+
		`", "cpu": 1, "memory": 1}`, token).expect(t, http.StatusOK)
	call(t, secured, http.MethodPost, clusters, clusterJSON(ns, "allowed"), token).
		expect(t, http.StatusOK)
	call(t, secured, http.MethodGet, clusters+"/allowed", nil, token).expect(t, http.StatusOK)
	call(t, secured, http.MethodGet, "/healthz", nil, "").expect(t, http.StatusOK)
}

// serviceAccountToken creates a service account and returns a token of it.
func serviceAccountToken(t *testing.T, ns, name string) string {
	t.Helper()
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if err := env.Client.Create(ctx, sa); err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// grant lets a service account use clusters and compute templates in its namespace.
func grant(t *testing.T, ns, sa string) {
	t.Helper()
	ctx := context.Background()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ray-user"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"ray.io"}, Resources: []string{"rayclusters"},
				Verbs: []string{"create", "get", "list", "delete"}},
			{APIGroups: []string{""}, Resources: []string{"configmaps"},
				Verbs: []string{"create", "get", "list", "delete"}},
		}}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ray-user"},
		RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role",
			Name: "ray-user"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}}}
	if err := env.Client.Create(ctx, role); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, binding); err != nil {
		t.Fatal(err)
	}
}
