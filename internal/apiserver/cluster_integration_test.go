//go:build integration

package apiserver_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// createTemplates creates the compute templates the cluster tests use: "head" (1 CPU, 2 GiB)
// and "gpu-worker" (2 CPUs, 4 GiB, one GPU, tolerating GPU nodes).
func createTemplates(t *testing.T, ns string) {
	t.Helper()
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/compute_templates",
		fmt.Sprintf(`{"name": "head", "namespace": %q, "cpu": 1, "memory": 2}`, ns), "").
		expect(t, http.StatusOK)
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/compute_templates",
		fmt.Sprintf(`{"name": "gpu-worker", "namespace": %q, "cpu": 2, "memory": 4, "gpu": 1,
			"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists",
			"effect": "NoSchedule"}]}`, ns), "").
		expect(t, http.StatusOK)
}

// clusterJSON is the body that creates cluster name in ns: a NodePort head of template "head"
// and a group "workers" of 2 workers of template "gpu-worker". It carries a field the API does
// not know, which the server must ignore.
func clusterJSON(ns, name string) string {
	return fmt.Sprintf(`{
	  "name": %q, "namespace": %q, "user": "jane", "version": "2.9.0", "environment": 3,
	  "annotations": {"team": "ml"},
	  "favouriteColour": "blue",
	  "clusterSpec": {
	    "headGroupSpec": {"computeTemplate": "head", "serviceType": "NodePort",
	      "rayStartParams": {"dashboard-host": "0.0.0.0"}, "labels": {"tier": "head"},
	      "annotations": {"note": "head pod"}},
	    "workerGroupSpec": [{"groupName": "workers", "computeTemplate": "gpu-worker",
	      "replicas": 2, "minReplicas": 1, "maxReplicas": 4}]
	  }
	}`, name, ns)
}

// Known case 5, and the whole story of the observability documentation: a NodePort cluster
// created over HTTP becomes a RayCluster as the contract describes; once its pods run, GET says
// "ready" and serviceEndpoint holds the node ports, keyed by port name.
func TestCase5NodePortClusterReady(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	var created apiv1.Cluster
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters",
		clusterJSON(ns, "demo"), "").expect(t, http.StatusOK).into(t, &created)
	if created.CreatedAt == nil || created.Environment != apiv1.Cluster_PRODUCTION {
		t.Errorf("created cluster: createdAt %v, environment %v", created.CreatedAt,
			created.Environment)
	}
	checkRayCluster(t, ns)

	runPods(t, ns, "demo", 3)
	rc := waitForState(t, ns, "demo", "ready")
	var got apiv1.Cluster
	call(t, open, http.MethodGet, "/apis/v1alpha2/namespaces/"+ns+"/clusters/demo", nil, "").
		expect(t, http.StatusOK).into(t, &got)
	if got.ClusterState != "ready" {
		t.Errorf("clusterState = %q, want ready", got.ClusterState)
	}
	if diff := cmp.Diff(rc.Status.Endpoints, got.ServiceEndpoint); diff != "" {
		t.Errorf("serviceEndpoint differs from status.endpoints (-want +got):\n%s", diff)
	}
	svc := &corev1.Service{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns,
		Name: "demo-head-svc"}, svc); err != nil {
		t.Fatal(err)
	}
	nodePorts := map[string]string{}
	for _, p := range svc.Spec.Ports {
		nodePorts[p.Name] = strconv.Itoa(int(p.NodePort))
	}
	if diff := cmp.Diff(nodePorts, got.ServiceEndpoint); diff != "" {
		t.Errorf("serviceEndpoint is not the node ports (-want +got):\n%s", diff)
	}
	for _, name := range []string{"redis", "head", "dashboard", "metrics"} {
		if p, _ := strconv.Atoi(got.ServiceEndpoint[name]); p < 30000 {
			t.Errorf("serviceEndpoint[%s] = %q, want a node port", name, got.ServiceEndpoint[name])
		}
	}
	if len(got.Events) == 0 {
		t.Error("no events, want the operator's events about the cluster and its pods")
	}
}

// checkRayCluster checks the RayCluster of clusterJSON(ns, "demo"): labels, annotations, the
// Ray containers with their ports and resources, and the tolerations.
func checkRayCluster(t *testing.T, ns string) {
	t.Helper()
	rc := rayClusters(t, ns)[0]
	wantLabels := map[string]string{"ray.io/user": "jane", "ray.io/version": "2.9.0",
		"ray.io/environment": "PRODUCTION", "app.kubernetes.io/managed-by": "kuberay-apiserver"}
	if diff := cmp.Diff(wantLabels, rc.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if rc.Annotations["team"] != "ml" || rc.Spec.RayVersion != "2.9.0" {
		t.Errorf("annotations %v, rayVersion %q", rc.Annotations, rc.Spec.RayVersion)
	}
	head := rc.Spec.HeadGroupSpec
	if head.ServiceType != corev1.ServiceTypeNodePort {
		t.Errorf("serviceType = %q", head.ServiceType)
	}
	wantHeadAnn := map[string]string{"note": "head pod", "ray.io/compute-template": "head",
		"ray.io/compute-image": "rayproject/ray:2.9.0"}
	if diff := cmp.Diff(wantHeadAnn, head.Template.Annotations); diff != "" {
		t.Errorf("head pod annotations (-want +got):\n%s", diff)
	}
	hc := head.Template.Spec.Containers[0]
	var ports []string
	for _, p := range hc.Ports {
		ports = append(ports, fmt.Sprintf("%s:%d", p.Name, p.ContainerPort))
	}
	want := []string{"redis:6379", "head:10001", "dashboard:8265", "metrics:8080"}
	if diff := cmp.Diff(want, ports); diff != "" || hc.Name != "ray-head" ||
		hc.Image != "rayproject/ray:2.9.0" {
		t.Errorf("head container %s %s, ports (-want +got):\n%s", hc.Name, hc.Image, diff)
	}
	checkResources(t, "head", hc.Resources, map[string]string{"cpu": "1", "memory": "2Gi"})

	w := rc.Spec.WorkerGroupSpecs[0]
	wc := w.Template.Spec.Containers[0]
	if wc.Name != "ray-worker" || w.GroupName != "workers" || *w.Replicas != 2 ||
		*w.MinReplicas != 1 || *w.MaxReplicas != 4 {
		t.Errorf("worker group %s: container %s, replicas %d (%d-%d)", w.GroupName, wc.Name,
			*w.Replicas, *w.MinReplicas, *w.MaxReplicas)
	}
	checkResources(t, "worker", wc.Resources, map[string]string{"cpu": "2", "memory": "4Gi",
		"nvidia.com/gpu": "1"})
	tol := w.Template.Spec.Tolerations
	if len(tol) != 1 || tol[0].Key != "nvidia.com/gpu" || tol[0].Effect != "NoSchedule" {
		t.Errorf("worker tolerations = %+v", tol)
	}
}

// checkResources checks that requests and limits are both exactly want.
func checkResources(t *testing.T, what string, r corev1.ResourceRequirements,
	want map[string]string) {
	t.Helper()
	for _, list := range []corev1.ResourceList{r.Requests, r.Limits} {
		if len(list) != len(want) {
			t.Errorf("%s resources = %v, want %v", what, list, want)
			continue
		}
		for name, v := range want {
			if q := list[corev1.ResourceName(name)]; q.Cmp(resource.MustParse(v)) != 0 {
				t.Errorf("%s %s = %s, want %s", what, name, q.String(), v)
			}
		}
	}
}
