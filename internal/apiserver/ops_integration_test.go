//go:build integration

package apiserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestOperations checks what surrounds the API: the body limit, the error format of routing
// and decoding errors, /healthz, /metrics, the OpenAPI document and its page.
func TestOperations(t *testing.T) {
	ns := newNamespace(t)
	clusters := "/apis/v1/namespaces/" + ns + "/clusters"

	huge := `{"name": "big", "annotations": {"a": "` + strings.Repeat("x", 1<<20) + `"}}`
	call(t, open, http.MethodPost, clusters, huge, "").
		expectError(t, http.StatusRequestEntityTooLarge, 8, "larger than 1048576 bytes")
	call(t, open, http.MethodPost, clusters, `{"name": `, "").
		expectError(t, http.StatusBadRequest, 3)
	call(t, open, http.MethodPost, clusters, `{"environment": "MARS"}`, "").
		expectError(t, http.StatusBadRequest, 3)
	call(t, open, http.MethodGet, "/apis/v1/nothing-here", nil, "").
		expectError(t, http.StatusNotFound, 5)
	call(t, open, http.MethodPut, clusters+"/x", "{}", "").
		expectError(t, http.StatusMethodNotAllowed, 12, "PUT")
	call(t, open, http.MethodGet, clusters+"?limit=-1", nil, "").
		expectError(t, http.StatusBadRequest, 3, "limit")
	call(t, open, http.MethodGet, clusters+"?limit=1&continue=garbage", nil, "").
		expectError(t, http.StatusBadRequest, 3)

	healthz := call(t, open, http.MethodGet, "/healthz", nil, "").expect(t, http.StatusOK)
	if string(healthz.body) != "ok\n" {
		t.Errorf("/healthz = %q", healthz.body)
	}
	metrics := string(call(t, open, http.MethodGet, "/metrics", nil, "").
		expect(t, http.StatusOK).body)
	// A 413 never reaches the gRPC server: it is counted by HTTP status code only.
	for _, want := range []string{
		`raykube_apiserver_requests_total{code="InvalidArgument",method="CreateCluster",` +
			`service="ClusterService"}`,
		`raykube_apiserver_request_duration_seconds_bucket{method="ListClusters",` +
			`service="ClusterService"`,
		`raykube_apiserver_http_requests_total{code="413",handler="api"}`,
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	var doc struct {
		Swagger string         `json:"swagger"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(call(t, open, http.MethodGet, "/openapi.json", nil, "").
		expect(t, http.StatusOK).body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/apis/v1/namespaces/{namespace}/clusters/{name}",
		"/apis/v1alpha2/namespaces/{namespace}/clusters", "/apis/v1/compute_templates"} {
		if _, ok := doc.Paths[p]; !ok || doc.Swagger != "2.0" {
			t.Errorf("OpenAPI %s document lacks %s", doc.Swagger, p)
		}
	}
	page := call(t, open, http.MethodGet, "/docs", nil, "").expect(t, http.StatusOK)
	if !strings.Contains(string(page.body), `fetch("openapi.json")`) {
		t.Error("/docs does not load the OpenAPI document")
	}
}
