package auth

import (
	"testing"

	"google.golang.org/grpc"

	"github.com/raykube/raykube/internal/apiserver/gen/compat"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestEveryMethodHasAPermission: a method missing from the table is refused to every caller, so
// a service added without its permissions would be unusable with authentication on.
func TestEveryMethodHasAPermission(t *testing.T) {
	services := []grpc.ServiceDesc{apiv1.ClusterService_ServiceDesc,
		apiv1.ComputeTemplateService_ServiceDesc, compat.ClusterService_ServiceDesc,
		compat.ComputeTemplateService_ServiceDesc}
	count := 0
	for _, s := range services {
		for _, m := range s.Methods {
			count++
			full := "/" + s.ServiceName + "/" + m.MethodName
			if _, ok := methods[full]; !ok {
				t.Errorf("%s has no permission in the table", full)
			}
		}
	}
	if count != len(methods) {
		t.Errorf("%d methods served, %d in the table: the table names a method no service has",
			count, len(methods))
	}
}

// TestKubeRayNamesMatchOwn: each KubeRay-named method needs what raykube's own method needs.
func TestKubeRayNamesMatchOwn(t *testing.T) {
	pairs := map[string]string{
		compat.ClusterService_ListCluster_FullMethodName:   apiv1.ClusterService_ListClusters_FullMethodName,
		compat.ClusterService_DeleteCluster_FullMethodName: apiv1.ClusterService_DeleteCluster_FullMethodName,
		compat.ComputeTemplateService_CreateComputeTemplate_FullMethodName: apiv1.
			ComputeTemplateService_CreateComputeTemplate_FullMethodName,
	}
	for kuberay, own := range pairs {
		if methods[kuberay] != methods[own] {
			t.Errorf("%s needs %+v, %s needs %+v", kuberay, methods[kuberay], own, methods[own])
		}
	}
	if got := compat.ClusterService_ListCluster_FullMethodName; got != "/proto.ClusterService/ListCluster" {
		t.Errorf("KubeRay's namespace list is %s, want /proto.ClusterService/ListCluster", got)
	}
}
