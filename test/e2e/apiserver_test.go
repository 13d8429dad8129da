//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestE2EAPIServerReportsState asks raykube's API server, the process the local environment
// runs, about a NodePort cluster the operator made ready: under both API generations,
// clusterState is the RayCluster's status.state and serviceEndpoint its status.endpoints,
// the node ports Kubernetes allocated.
func TestE2EAPIServerReportsState(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "e2e-api")
	c := newCluster(ns, "queried", "1", 1)
	c.Spec.HeadGroupSpec.ServiceType = corev1.ServiceTypeNodePort
	if err := suite.env.Client.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	c = waitForReady(t, ns, c.Name)
	if len(c.Status.Endpoints) == 0 {
		t.Fatal("the ready cluster has no endpoints")
	}
	for port, value := range c.Status.Endpoints {
		if value == "6379" || value == "8265" || value == "10001" || value == "8080" {
			t.Errorf("endpoint %s = %s, a container port rather than a node port", port, value)
		}
	}

	for _, version := range []string{"v1alpha2", "v1"} {
		url := fmt.Sprintf("http://127.0.0.1:%d/apis/%s/namespaces/%s/clusters/%s",
			suite.env.State.Ports.RaykubeHTTP, version, ns, c.Name)
		got := getJSON(t, url)
		if got.ClusterState != string(c.Status.State) {
			t.Errorf("%s: clusterState %q, want %q", version, got.ClusterState, c.Status.State)
		}
		if diff := cmp.Diff(c.Status.Endpoints, got.ServiceEndpoint); diff != "" {
			t.Errorf("%s: serviceEndpoint (-status.endpoints +got):\n%s", version, diff)
		}
	}
}

type apiCluster struct {
	ClusterState    string            `json:"clusterState"`
	ServiceEndpoint map[string]string `json:"serviceEndpoint"`
}

func getJSON(t *testing.T, url string) apiCluster {
	t.Helper()
	resp, err := http.Get(url) //nolint:gosec,noctx // a loopback URL the test builds itself
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	var out apiCluster
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
	return out
}
