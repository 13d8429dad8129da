//go:build integration

package helm

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/testenv"
)

// The real API server, started with the arguments the chart gives it and as the chart's
// ServiceAccount, serves a caller with a Kubernetes token: it reviews the token and the
// caller's permission, creates a compute template and a cluster from it, reads, lists and
// deletes them. Every one of those needs a rule of the chart's ClusterRole.
func TestAPIServerRunsWithTheChartRBAC(t *testing.T) {
	e := env(t)
	releaseNS := e.NewNamespace(t, "apiserver-")
	rays := e.NewNamespace(t, "rays-")
	release := "rk-" + releaseNS
	install(t, helmConfig(t, e, releaseNS), release, releaseNS,
		"apiserver: {enabled: true, service: {type: ClusterIP}}")
	base := startAPIServer(t, e, releaseNS, release+"-raykube-operator-apiserver")
	token := callerToken(t, e, rays)

	templates := base + "/apis/v1/namespaces/" + rays + "/compute_templates"
	clusters := base + "/apis/v1/namespaces/" + rays + "/clusters"
	cluster := `{"name": "demo", "namespace": "` + rays + `", "user": "jane", "version": "2.9.0",
	  "clusterSpec": {"headGroupSpec": {"computeTemplate": "small"},
	    "workerGroupSpec": [{"groupName": "workers", "computeTemplate": "small",
	                         "replicas": 1, "minReplicas": 1, "maxReplicas": 2}]}}`
	steps := []struct {
		method, url, body string
		want              int
	}{
		{http.MethodPost, templates, `{"name": "small", "namespace": "` + rays + `", "cpu": 1, "memory": 2}`,
			http.StatusOK},
		{http.MethodPost, clusters, cluster, http.StatusOK},
		{http.MethodGet, clusters + "/demo", "", http.StatusOK},
		{http.MethodGet, clusters, "", http.StatusOK},
		{http.MethodGet, templates, "", http.StatusOK},
		// The caller may use its own namespace only, and the server says so.
		{http.MethodGet, base + "/apis/v1/clusters", "", http.StatusForbidden},
		{http.MethodDelete, clusters + "/demo", "", http.StatusOK},
		{http.MethodDelete, templates + "/small", "", http.StatusOK},
	}
	for _, s := range steps {
		if status, body := call(t, s.method, s.url, s.body, token); status != s.want {
			t.Errorf("%s %s: %d %s; want %d", s.method, s.url, status, body, s.want)
		}
	}
	if status, _ := call(t, http.MethodGet, clusters, "", ""); status != http.StatusUnauthorized {
		t.Errorf("a call without a token: %d, want 401", status)
	}
}

// startAPIServer runs the API server in this process until the test ends, with the arguments of
// the installed Deployment (on a free loopback port), as its ServiceAccount, and returns its
// HTTP URL.
func startAPIServer(t *testing.T, e *testenv.Env, namespace, deployment string) string {
	t.Helper()
	pod := installedPod(t, e, namespace, deployment)
	opts, err := parseAPIServerArgs(pod.Containers[0].Args)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Auth != apiserver.AuthKubernetes {
		t.Fatalf("the chart's API server runs with --auth=%s, want kubernetes", opts.Auth)
	}
	opts.HTTPAddr, opts.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0"

	srv, err := apiserver.NewServer(serviceAccountConfig(e, namespace, pod.ServiceAccountName), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	testenv.RunInBackground(t, "API server", srv.Serve)
	return "http://" + srv.HTTPAddr()
}

// callerToken makes a ServiceAccount in namespace allowed to use clusters and compute templates
// there, and returns a token of it.
func callerToken(t *testing.T, e *testenv.Env, namespace string) string {
	t.Helper()
	ctx := context.Background()
	objs := []client.Object{
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "jane"}},
		&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "ray-user"},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{"ray.io"}, Resources: []string{"rayclusters"},
					Verbs: []string{"create", "get", "list", "delete"}},
				{APIGroups: []string{""}, Resources: []string{"configmaps"},
					Verbs: []string{"create", "get", "list", "delete"}},
			}},
		&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "ray-user"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "ray-user"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "jane",
				Namespace: namespace}}},
	}
	for _, obj := range objs {
		if err := e.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := kubernetes.NewForConfig(e.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, "jane", &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// call sends one request with a bearer token (none when empty) and returns the status and body.
func call(t *testing.T, method, url, body, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}
