package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// fuzzNamespace is where the fuzzed clusters are created; its templates are "head" and "gpu".
const fuzzNamespace = "fuzz"

// FuzzCreateCluster posts arbitrary bodies to the create handler, over HTTP through the
// gateway and the gRPC server, against a fake Kubernetes client. Whatever the body: no 5xx, no
// panic, an error in the contract's format, and a RayCluster exactly when the answer is 200.
func FuzzCreateCluster(f *testing.F) {
	for _, seed := range []string{
		validFuzzBody,
		`{"name": "demo", "namespace": "fuzz", "user": "jane",
		  "clusterSpec": {"headGroupSpec": {"computeTemplate": "missing"}}}`,
		`{"name": "x", "clusterSpec": {"workerGroupSpec": [{"groupName": ""}]}}`,
		`{"name": "demo", "namespace": "fuzz", "user": "jane", "environment": 99,
		  "clusterSpec": {"headGroupSpec": {"computeTemplate": "head", "volumes": [{}]}}}`,
		`{"clusterSpec": null}`, `[]`, `null`, `"x"`, `{"name": 5}`, ``, `{`,
		// Inputs that were once answered wrongly: an enum name that is not one (taken as the
		// default), bodies that are not one object, a value echoed whole, replicas beyond
		// maxReplicas (clamped by the operator).
		`{"environment": "PROD"}`, `{"environment": 7}`, `1`, `true`, `{} {}`, " \n",
		"{\"name\": \"x\",\n \"user\": ",
		`{"clusterSpec": {"headGroupSpec": {"volumes": [{"volumeType": "NFS",
		  "accessMode": "RWM"}]}}, "envs": {"valuesFrom": {"A": {"source": "VAULT"}}}}`,
		`{"clusterSpec": {}, "cluster_spec": {}, "createdAt": "yesterday"}`,
		`{"name": "` + strings.Repeat("a", 100_000) + `"}`,
		strings.Replace(validFuzzBody, `"replicas": 1`, `"replicas": 12`, 1),
	} {
		f.Add([]byte(seed))
	}
	c := fake.NewClientBuilder().WithScheme(Scheme()).WithObjects(fuzzTemplates(f)...).Build()
	handler := startTestServer(f, c)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost,
			"/apis/v1/namespaces/"+fuzzNamespace+"/clusters", strings.NewReader(string(body)))
		handler.ServeHTTP(rec, req)
		checkAnswer(t, rec)
		var list rayv1.RayClusterList
		if err := c.List(context.Background(), &list); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.Code == http.StatusOK && len(list.Items) != 1:
			t.Fatalf("200 with %d RayClusters", len(list.Items))
		case rec.Code != http.StatusOK && len(list.Items) != 0:
			t.Fatalf("%d with %d RayClusters: %s", rec.Code, len(list.Items), rec.Body)
		}
		for i := range list.Items {
			if err := c.Delete(context.Background(), &list.Items[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// validFuzzBody is a cluster the server accepts, using most fields.
const validFuzzBody = `{"name": "demo", "namespace": "fuzz", "user": "jane", "version": "2.9.0",
  "environment": 3, "annotations": {"a": "b"},
  "envs": {"values": {"A": "1"}, "valuesFrom": {"B": {"source": 1, "name": "s", "key": "k"}}},
  "clusterSpec": {"headGroupSpec": {"computeTemplate": "head", "serviceType": "NodePort",
    "rayStartParams": {"num-cpus": "0"}, "volumes": [{"name": "v", "mountPath": "/v",
    "volumeType": 2, "storage": "1Gi"}], "securityContext": {"capabilities":
    {"add": ["SYS_PTRACE"]}}},
    "workerGroupSpec": [{"groupName": "g", "computeTemplate": "gpu", "replicas": 1,
      "minReplicas": 0, "maxReplicas": 3, "imagePullPolicy": "Always"}],
    "enableInTreeAutoscaling": true, "autoscalerOptions": {"cpu": "500m"}}}`

// TestCreateClusterWithFakeClient checks that the fuzz test's valid seed is accepted, so that
// the fuzzer explores from a body that gets through every check.
func TestCreateClusterWithFakeClient(t *testing.T) {
	c := fake.NewClientBuilder().WithScheme(Scheme()).WithObjects(fuzzTemplates(t)...).Build()
	handler := startTestServer(t, c)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost,
		"/apis/v1/namespaces/"+fuzzNamespace+"/clusters", strings.NewReader(validFuzzBody)))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	for _, want := range []string{`"clusterState":""`, `"environment":3`, `"name":"demo"`} {
		if !strings.Contains(strings.ReplaceAll(rec.Body.String(), " ", ""), want) {
			t.Errorf("answer lacks %s: %s", want, rec.Body)
		}
	}
}

// checkAnswer fails on a 5xx and on an error answer that is not {"code","message","details"}.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if rec.Code == http.StatusOK {
		return
	}
	var e map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("status %d with a body that is not JSON: %s", rec.Code, rec.Body)
	}
	for _, key := range []string{"code", "message", "details"} {
		if _, ok := e[key]; !ok {
			t.Fatalf("error without %q: %s", key, rec.Body)
		}
	}
}

// fuzzTemplates are the ConfigMaps of the templates "head" and "gpu".
func fuzzTemplates(tb testing.TB) []client.Object {
	var out []client.Object
	for _, t := range []*apiv1.ComputeTemplate{
		{Name: "head", Namespace: fuzzNamespace, Cpu: 1, Memory: 2},
		{Name: "gpu", Namespace: fuzzNamespace, Cpu: 4, Memory: 16, Gpu: 1,
			Tolerations: []*apiv1.PodToleration{{Key: "gpu", Operator: "Exists"}}},
	} {
		cm, err := convert.TemplateToConfigMap(convert.WithDefaults(t), convert.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, cm)
	}
	return out
}

// startTestServer serves a server over c, without authentication, until the test ends, and
// returns its HTTP handler.
func startTestServer(tb testing.TB, c client.Client) http.Handler {
	tb.Helper()
	opts := DefaultOptions()
	opts.HTTPAddr, opts.GRPCAddr = "127.0.0.1:0", ""
	srv, err := newServer(c, nil, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("server stopped with an error: %v", err)
		}
	})
	return srv.Handler()
}
