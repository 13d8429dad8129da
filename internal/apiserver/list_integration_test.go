//go:build integration

package apiserver_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestListPaginateDelete lists clusters of one namespace and of all, page by page with limit
// and continue, including a RayCluster created without the API server, and deletes one.
func TestListPaginateDelete(t *testing.T) {
	ns1, ns2 := newNamespace(t), newNamespace(t)
	for _, ns := range []string{ns1, ns2} {
		createTemplates(t, ns)
	}
	for _, c := range [][2]string{{ns1, "one"}, {ns1, "two"}, {ns2, "three"}} {
		call(t, open, http.MethodPost, "/apis/v1/namespaces/"+c[0]+"/clusters",
			clusterJSON(c[0], c[1]), "").expect(t, http.StatusOK)
	}
	kubectl := kubectlCluster(ns1, "by-kubectl")
	if err := env.Client.Create(context.Background(), kubectl); err != nil {
		t.Fatal(err)
	}

	var inNS apiv1.ListClustersResponse
	call(t, open, http.MethodGet, "/apis/v1/namespaces/"+ns1+"/clusters", nil, "").
		expect(t, http.StatusOK).into(t, &inNS)
	if diff := cmp.Diff([]string{"by-kubectl", "one", "two"}, names(inNS.Clusters)); diff != "" {
		t.Errorf("clusters of %s (-want +got):\n%s", ns1, diff)
	}
	for _, c := range inNS.Clusters {
		head := c.ClusterSpec.HeadGroupSpec
		if c.Name == "by-kubectl" && (head.Image != "rayproject/ray:2.41.0" ||
			head.ComputeTemplate != "" || c.Version != "2.41.0") {
			t.Errorf("cluster created with kubectl: %v", c)
		}
	}

	all := listAllPages(t, 2)
	for _, want := range []string{ns1 + "/one", ns1 + "/two", ns1 + "/by-kubectl", ns2 + "/three"} {
		if !slices.Contains(all, want) {
			t.Errorf("list-all %v lacks %s", all, want)
		}
	}

	path := "/apis/v1/namespaces/" + ns1 + "/clusters/one"
	deleted := call(t, open, http.MethodDelete, path, nil, "").expect(t, http.StatusOK)
	if string(deleted.body) != "{}" {
		t.Errorf("delete answered %s, want {}", deleted.body)
	}
	call(t, open, http.MethodGet, path, nil, "").expectError(t, http.StatusNotFound, 5, `"one"`)
	call(t, open, http.MethodDelete, path, nil, "").expectError(t, http.StatusNotFound, 5, `"one"`)
}

// listAllPages follows list-all page by page and returns namespace/name of every cluster, in
// order; it fails on a page larger than limit or a cluster listed twice.
func listAllPages(t *testing.T, limit int) []string {
	t.Helper()
	var all []string
	token := ""
	for pages := 0; ; pages++ {
		q := url.Values{"limit": {"2"}, "continue": {token}}
		var page apiv1.ListAllClustersResponse
		call(t, open, http.MethodGet, "/apis/v1/clusters?"+q.Encode(), nil, "").
			expect(t, http.StatusOK).into(t, &page)
		if len(page.Clusters) > limit {
			t.Fatalf("page of %d clusters, limit %d", len(page.Clusters), limit)
		}
		for _, c := range page.Clusters {
			key := c.Namespace + "/" + c.Name
			if slices.Contains(all, key) {
				t.Fatalf("%s listed twice", key)
			}
			all = append(all, key)
		}
		if token = page.Continue; token == "" {
			if pages == 0 && len(all) > limit {
				t.Fatal("no continue token although there were more clusters")
			}
			return all
		}
	}
}

func names(clusters []*apiv1.Cluster) []string {
	var out []string
	for _, c := range clusters {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

// kubectlCluster is a RayCluster as a person writes it, without the API server.
func kubectlCluster(ns, name string) *rayv1.RayCluster {
	container := func(n string) []corev1.Container {
		return []corev1.Container{{Name: n, Image: "rayproject/ray:2.41.0"}}
	}
	return &rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: rayv1.RayClusterSpec{
			RayVersion: "2.41.0",
			HeadGroupSpec: rayv1.HeadGroupSpec{
				Template: corev1.PodTemplateSpec{
					Spec: corev1.PodSpec{Containers: container("ray-head")}},
			},
		},
	}
}

// TestComputeTemplates creates, reads, lists and deletes templates, and never touches a
// ConfigMap that is not one.
func TestComputeTemplates(t *testing.T) {
	ns := newNamespace(t)
	base := "/apis/v1/namespaces/" + ns + "/compute_templates"
	var created apiv1.ComputeTemplate
	call(t, open, http.MethodPost, base, `{"name": "t1", "namespace": "`+ns+`", "cpu": 0.5,
		"memory": 512, "memoryUnit": "Mi", "gpu": 2, "gpuAccelerator": "amd.com/gpu",
		"extendedResources": {"example.com/fpga": 1}}`, "").
		expect(t, http.StatusOK).into(t, &created)
	if created.Cpu != 0.5 || created.MemoryUnit != "Mi" ||
		created.ExtendedResources["example.com/fpga"] != 1 {
		t.Errorf("created template = %v", &created)
	}
	call(t, open, http.MethodPost, base, `{"name": "t2", "namespace": "`+ns+`", "cpu": 1,
		"memory": 1}`, "").expect(t, http.StatusOK)

	var got apiv1.ComputeTemplate
	call(t, open, http.MethodGet, base+"/t2", nil, "").expect(t, http.StatusOK).into(t, &got)
	if got.MemoryUnit != "Gi" {
		t.Errorf("memoryUnit = %q, want the default Gi", got.MemoryUnit)
	}
	var list apiv1.ListComputeTemplatesResponse
	call(t, open, http.MethodGet, base, nil, "").expect(t, http.StatusOK).into(t, &list)
	if len(list.ComputeTemplates) != 2 {
		t.Errorf("listed %d templates, want 2", len(list.ComputeTemplates))
	}
	var all apiv1.ListAllComputeTemplatesResponse
	call(t, open, http.MethodGet, "/apis/v1alpha2/compute_templates", nil, "").
		expect(t, http.StatusOK).into(t, &all)
	if len(all.ComputeTemplates) < 2 {
		t.Errorf("listed %d templates in all namespaces, want at least 2",
			len(all.ComputeTemplates))
	}

	call(t, open, http.MethodDelete, base+"/t1", nil, "").expect(t, http.StatusOK)
	call(t, open, http.MethodGet, base+"/t1", nil, "").
		expectError(t, http.StatusNotFound, 5, `compute template "t1" not found`)

	other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "plain"}}
	if err := env.Client.Create(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	call(t, open, http.MethodDelete, base+"/plain", nil, "").expectError(t, http.StatusNotFound, 5)
	if err := env.Client.Get(context.Background(), clientKey(ns, "plain"), other); err != nil {
		t.Errorf("the plain ConfigMap is gone: %v", err)
	}
	call(t, open, http.MethodPost, base, `{"name": "neg", "namespace": "`+ns+`", "cpu": -1,
		"memory": 1}`, "").expectError(t, http.StatusBadRequest, 3, "cpu", "must be positive")
}
