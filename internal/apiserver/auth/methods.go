package auth

import (
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	authzv1 "k8s.io/api/authorization/v1"

	"github.com/raykube/raykube/internal/apiserver/gen/compat"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// access is the Kubernetes permission a method needs.
type access struct {
	verb, group, resource string
}

var (
	rayClusters = func(verb string) access { return access{verb, "ray.io", "rayclusters"} }
	configMaps  = func(verb string) access { return access{verb, "", "configmaps"} }
)

// methods maps every method to the permission it needs: clusters are RayClusters, compute
// templates are ConfigMaps. A method missing here is refused.
var methods = map[string]access{
	apiv1.ClusterService_CreateCluster_FullMethodName:   rayClusters("create"),
	apiv1.ClusterService_GetCluster_FullMethodName:      rayClusters("get"),
	apiv1.ClusterService_ListClusters_FullMethodName:    rayClusters("list"),
	apiv1.ClusterService_ListAllClusters_FullMethodName: rayClusters("list"),
	apiv1.ClusterService_DeleteCluster_FullMethodName:   rayClusters("delete"),

	apiv1.ComputeTemplateService_CreateComputeTemplate_FullMethodName:   configMaps("create"),
	apiv1.ComputeTemplateService_GetComputeTemplate_FullMethodName:      configMaps("get"),
	apiv1.ComputeTemplateService_ListComputeTemplates_FullMethodName:    configMaps("list"),
	apiv1.ComputeTemplateService_ListAllComputeTemplates_FullMethodName: configMaps("list"),
	apiv1.ComputeTemplateService_DeleteComputeTemplate_FullMethodName:   configMaps("delete"),

	compat.ClusterService_CreateCluster_FullMethodName:   rayClusters("create"),
	compat.ClusterService_GetCluster_FullMethodName:      rayClusters("get"),
	compat.ClusterService_ListCluster_FullMethodName:     rayClusters("list"),
	compat.ClusterService_ListAllClusters_FullMethodName: rayClusters("list"),
	compat.ClusterService_DeleteCluster_FullMethodName:   rayClusters("delete"),

	compat.ComputeTemplateService_CreateComputeTemplate_FullMethodName:   configMaps("create"),
	compat.ComputeTemplateService_GetComputeTemplate_FullMethodName:      configMaps("get"),
	compat.ComputeTemplateService_ListComputeTemplates_FullMethodName:    configMaps("list"),
	compat.ComputeTemplateService_ListAllComputeTemplates_FullMethodName: configMaps("list"),
	compat.ComputeTemplateService_DeleteComputeTemplate_FullMethodName:   configMaps("delete"),
}

// publicMethods need no token: the gRPC health check.
var publicMethods = map[string]bool{
	healthpb.Health_Check_FullMethodName: true,
	healthpb.Health_Watch_FullMethodName: true,
	healthpb.Health_List_FullMethodName:  true,
}

// attributesOf is what a call asks of Kubernetes: the method's permission in the request's
// namespace (all namespaces for the list-all methods) on the named object, if any.
func attributesOf(method string, req any) (authzv1.ResourceAttributes, error) {
	a, ok := methods[method]
	if !ok {
		return authzv1.ResourceAttributes{}, status.Errorf(codes.PermissionDenied,
			"method %s is not open to callers", method)
	}
	attrs := authzv1.ResourceAttributes{Verb: a.verb, Group: a.group, Resource: a.resource}
	if r, ok := req.(interface{ GetNamespace() string }); ok {
		attrs.Namespace = r.GetNamespace()
	}
	if r, ok := req.(interface{ GetName() string }); ok {
		attrs.Name = r.GetName()
	}
	return attrs, nil
}
