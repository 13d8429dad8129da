//go:build integration

package apiserver_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestGRPC does over gRPC what the HTTP tests do: templates, a cluster that becomes ready with
// its endpoints, list, list-all, delete, and the error codes.
func TestGRPC(t *testing.T) {
	ns := newNamespace(t)
	conn := dialGRPC(t)
	templates := apiv1.NewComputeTemplateServiceClient(conn)
	clusters := apiv1.NewClusterServiceClient(conn)
	ctx := context.Background()

	createTemplatesOverGRPC(t, templates, ns)

	cluster := &apiv1.Cluster{Name: "over-grpc", Namespace: ns, User: "jane", Version: "2.9.0",
		ClusterSpec: &apiv1.ClusterSpec{
			HeadGroupSpec: &apiv1.HeadGroupSpec{ComputeTemplate: "head", ServiceType: "NodePort"},
			WorkerGroupSpec: []*apiv1.WorkerGroupSpec{{GroupName: "workers",
				ComputeTemplate: "gpu-worker", Replicas: 1, MaxReplicas: 2}},
		}}
	if _, err := clusters.CreateCluster(ctx, &apiv1.CreateClusterRequest{Namespace: ns,
		Cluster: cluster}); err != nil {
		t.Fatal(err)
	}
	runPods(t, ns, "over-grpc", 2)
	rc := waitForState(t, ns, "over-grpc", "ready")
	got, err := clusters.GetCluster(ctx, &apiv1.GetClusterRequest{Namespace: ns, Name: "over-grpc"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ClusterState != "ready" || len(got.ServiceEndpoint) == 0 ||
		got.ServiceEndpoint["dashboard"] != rc.Status.Endpoints["dashboard"] {
		t.Errorf("cluster state %q, endpoints %v; want ready and %v", got.ClusterState,
			got.ServiceEndpoint, rc.Status.Endpoints)
	}

	list, err := clusters.ListClusters(ctx, &apiv1.ListClustersRequest{Namespace: ns})
	if err != nil || len(list.Clusters) != 1 {
		t.Errorf("list: %v, %v", list, err)
	}
	page, err := clusters.ListAllClusters(ctx, &apiv1.ListAllClustersRequest{Limit: 1})
	if err != nil || len(page.Clusters) != 1 {
		t.Errorf("list-all with limit 1: %d clusters, %v", len(page.GetClusters()), err)
	}
	if _, err := clusters.DeleteCluster(ctx, &apiv1.DeleteClusterRequest{Namespace: ns,
		Name: "over-grpc"}); err != nil {
		t.Fatal(err)
	}
	_, err = clusters.GetCluster(ctx, &apiv1.GetClusterRequest{Namespace: ns, Name: "over-grpc"})
	expectCode(t, err, codes.NotFound)
	_, err = clusters.CreateCluster(ctx, &apiv1.CreateClusterRequest{Namespace: ns})
	expectCode(t, err, codes.InvalidArgument)
}

// dialGRPC connects to the gRPC port of the server without authentication until the test ends.
func dialGRPC(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(open.GRPCAddr(),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// createTemplatesOverGRPC creates the templates "head" and "gpu-worker", and checks that a
// second "head" is refused.
func createTemplatesOverGRPC(t *testing.T, templates apiv1.ComputeTemplateServiceClient,
	ns string) {
	t.Helper()
	ctx := context.Background()
	for _, tmpl := range []*apiv1.ComputeTemplate{
		{Name: "head", Namespace: ns, Cpu: 1, Memory: 2},
		{Name: "gpu-worker", Namespace: ns, Cpu: 2, Memory: 4, Gpu: 1},
	} {
		if _, err := templates.CreateComputeTemplate(ctx, &apiv1.CreateComputeTemplateRequest{
			Namespace: ns, ComputeTemplate: tmpl}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := templates.CreateComputeTemplate(ctx, &apiv1.CreateComputeTemplateRequest{
		Namespace: ns, ComputeTemplate: &apiv1.ComputeTemplate{Name: "head", Namespace: ns,
			Cpu: 1, Memory: 2}})
	expectCode(t, err, codes.AlreadyExists)
}

func expectCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Errorf("code %v (%v), want %v", got, err, want)
	}
}
