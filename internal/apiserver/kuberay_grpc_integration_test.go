//go:build integration

package apiserver_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/raykube/raykube/internal/apiserver/gen/compat"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestKubeRayGRPC calls the services by KubeRay's gRPC names (proto.ClusterService with
// ListCluster, proto.ComputeTemplateService with whole-number CPU and memory), as a client
// generated from KubeRay's definition does: templates, a cluster that becomes ready, the lists,
// delete.
func TestKubeRayGRPC(t *testing.T) {
	ns := newNamespace(t)
	conn := dialGRPC(t)
	templates := compat.NewComputeTemplateServiceClient(conn)
	clusters := compat.NewClusterServiceClient(conn)
	ctx := context.Background()

	head := &compat.ComputeTemplate{Name: "head", Namespace: ns, Cpu: 1, Memory: 2}
	created, err := templates.CreateComputeTemplate(ctx, &compat.CreateComputeTemplateRequest{
		Namespace: ns, ComputeTemplate: head})
	if err != nil {
		t.Fatal(err)
	}
	head.MemoryUnit = "Gi" // the default, filled in by the server
	if diff := cmp.Diff(head, created, protocmp.Transform()); diff != "" {
		t.Errorf("created template (-want +got):\n%s", diff)
	}
	_, err = templates.CreateComputeTemplate(ctx, &compat.CreateComputeTemplateRequest{
		Namespace: ns, ComputeTemplate: head})
	expectCode(t, err, codes.AlreadyExists)

	// A template with half a CPU, made through raykube's own service, reads as one CPU.
	if _, err := apiv1.NewComputeTemplateServiceClient(conn).CreateComputeTemplate(ctx,
		&apiv1.CreateComputeTemplateRequest{Namespace: ns, ComputeTemplate: &apiv1.ComputeTemplate{
			Name: "half", Namespace: ns, Cpu: 0.5, Memory: 1}}); err != nil {
		t.Fatal(err)
	}
	half, err := templates.GetComputeTemplate(ctx, &apiv1.GetComputeTemplateRequest{
		Namespace: ns, Name: "half"})
	if err != nil || half.GetCpu() != 1 || half.GetMemory() != 1 {
		t.Errorf("half-CPU template through KubeRay's service: %v, %v; want cpu 1, memory 1", half, err)
	}
	list, err := templates.ListComputeTemplates(ctx, &apiv1.ListComputeTemplatesRequest{Namespace: ns})
	if err != nil || len(list.GetComputeTemplates()) != 2 {
		t.Errorf("template list: %v, %v; want 2 templates", list, err)
	}

	cluster := &apiv1.Cluster{Name: "kuberay-client", Namespace: ns, User: "jane", Version: "2.9.0",
		ClusterSpec: &apiv1.ClusterSpec{
			HeadGroupSpec: &apiv1.HeadGroupSpec{ComputeTemplate: "head"},
			WorkerGroupSpec: []*apiv1.WorkerGroupSpec{{GroupName: "workers",
				ComputeTemplate: "half", Replicas: 1, MaxReplicas: 2}},
		}}
	if _, err := clusters.CreateCluster(ctx, &apiv1.CreateClusterRequest{Namespace: ns,
		Cluster: cluster}); err != nil {
		t.Fatal(err)
	}
	runPods(t, ns, "kuberay-client", 2)
	waitForState(t, ns, "kuberay-client", "ready")
	got, err := clusters.GetCluster(ctx, &apiv1.GetClusterRequest{Namespace: ns, Name: "kuberay-client"})
	if err != nil || got.GetClusterState() != "ready" {
		t.Errorf("get: state %q, %v; want ready", got.GetClusterState(), err)
	}
	page, err := clusters.ListCluster(ctx, &apiv1.ListClustersRequest{Namespace: ns})
	if err != nil || len(page.GetClusters()) != 1 || page.GetClusters()[0].GetName() != "kuberay-client" {
		t.Errorf("ListCluster: %v, %v; want the one cluster", page, err)
	}
	if _, err := clusters.DeleteCluster(ctx, &apiv1.DeleteClusterRequest{Namespace: ns,
		Name: "kuberay-client"}); err != nil {
		t.Fatal(err)
	}
	_, err = clusters.GetCluster(ctx, &apiv1.GetClusterRequest{Namespace: ns, Name: "kuberay-client"})
	expectCode(t, err, codes.NotFound)
	_, err = templates.CreateComputeTemplate(ctx, &compat.CreateComputeTemplateRequest{Namespace: ns})
	expectCode(t, err, codes.InvalidArgument)
}
