package handler

import (
	"context"
	"math"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/raykube/raykube/internal/apiserver/gen/compat"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// KubeRayClusters serves the cluster service under KubeRay's gRPC names (package proto,
// ListCluster for the namespace list) with the same handlers and messages as Clusters.
type KubeRayClusters struct {
	compat.UnimplementedClusterServiceServer
	clusters *Clusters
}

// NewKubeRayClusters returns the KubeRay-named cluster service over h.
func NewKubeRayClusters(h *Clusters) *KubeRayClusters {
	return &KubeRayClusters{clusters: h}
}

// CreateCluster creates a cluster.
func (k *KubeRayClusters) CreateCluster(ctx context.Context, req *apiv1.CreateClusterRequest) (
	*apiv1.Cluster, error) {
	return k.clusters.CreateCluster(ctx, req)
}

// GetCluster returns a cluster.
func (k *KubeRayClusters) GetCluster(ctx context.Context, req *apiv1.GetClusterRequest) (
	*apiv1.Cluster, error) {
	return k.clusters.GetCluster(ctx, req)
}

// ListCluster returns a page of the clusters of a namespace.
func (k *KubeRayClusters) ListCluster(ctx context.Context, req *apiv1.ListClustersRequest) (
	*apiv1.ListClustersResponse, error) {
	return k.clusters.ListClusters(ctx, req)
}

// ListAllClusters returns a page of the clusters of every namespace.
func (k *KubeRayClusters) ListAllClusters(ctx context.Context,
	req *apiv1.ListAllClustersRequest) (*apiv1.ListAllClustersResponse, error) {
	return k.clusters.ListAllClusters(ctx, req)
}

// DeleteCluster deletes a cluster.
func (k *KubeRayClusters) DeleteCluster(ctx context.Context, req *apiv1.DeleteClusterRequest) (
	*emptypb.Empty, error) {
	return k.clusters.DeleteCluster(ctx, req)
}

// KubeRayComputeTemplates serves the compute-template service under KubeRay's gRPC names, with
// KubeRay's whole-number CPU and memory.
type KubeRayComputeTemplates struct {
	compat.UnimplementedComputeTemplateServiceServer
	templates *ComputeTemplates
}

// NewKubeRayComputeTemplates returns the KubeRay-named compute-template service over h.
func NewKubeRayComputeTemplates(h *ComputeTemplates) *KubeRayComputeTemplates {
	return &KubeRayComputeTemplates{templates: h}
}

// CreateComputeTemplate creates a compute template.
func (k *KubeRayComputeTemplates) CreateComputeTemplate(ctx context.Context,
	req *compat.CreateComputeTemplateRequest) (*compat.ComputeTemplate, error) {
	t, err := k.templates.CreateComputeTemplate(ctx, &apiv1.CreateComputeTemplateRequest{
		Namespace: req.GetNamespace(), ComputeTemplate: fromKubeRay(req.GetComputeTemplate())})
	return toKubeRay(t), err
}

// GetComputeTemplate returns a compute template.
func (k *KubeRayComputeTemplates) GetComputeTemplate(ctx context.Context,
	req *apiv1.GetComputeTemplateRequest) (*compat.ComputeTemplate, error) {
	t, err := k.templates.GetComputeTemplate(ctx, req)
	return toKubeRay(t), err
}

// ListComputeTemplates returns a page of the compute templates of a namespace.
func (k *KubeRayComputeTemplates) ListComputeTemplates(ctx context.Context,
	req *apiv1.ListComputeTemplatesRequest) (*compat.ListComputeTemplatesResponse, error) {
	page, err := k.templates.ListComputeTemplates(ctx, req)
	if err != nil {
		return nil, err
	}
	return &compat.ListComputeTemplatesResponse{
		ComputeTemplates: toKubeRayAll(page.GetComputeTemplates()), Continue: page.GetContinue()}, nil
}

// ListAllComputeTemplates returns a page of the compute templates of every namespace.
func (k *KubeRayComputeTemplates) ListAllComputeTemplates(ctx context.Context,
	req *apiv1.ListAllComputeTemplatesRequest) (*compat.ListAllComputeTemplatesResponse, error) {
	page, err := k.templates.ListAllComputeTemplates(ctx, req)
	if err != nil {
		return nil, err
	}
	return &compat.ListAllComputeTemplatesResponse{
		ComputeTemplates: toKubeRayAll(page.GetComputeTemplates()), Continue: page.GetContinue()}, nil
}

// DeleteComputeTemplate deletes a compute template.
func (k *KubeRayComputeTemplates) DeleteComputeTemplate(ctx context.Context,
	req *apiv1.DeleteComputeTemplateRequest) (*emptypb.Empty, error) {
	return k.templates.DeleteComputeTemplate(ctx, req)
}

// fromKubeRay converts a KubeRay template to raykube's; nil stays nil, so that the service
// reports the missing template.
func fromKubeRay(t *compat.ComputeTemplate) *apiv1.ComputeTemplate {
	if t == nil {
		return nil
	}
	return &apiv1.ComputeTemplate{
		Name: t.GetName(), Namespace: t.GetNamespace(),
		Cpu: float64(t.GetCpu()), Memory: float64(t.GetMemory()), MemoryUnit: t.GetMemoryUnit(),
		Gpu: t.GetGpu(), GpuAccelerator: t.GetGpuAccelerator(), Tolerations: t.GetTolerations(),
		ExtendedResources: t.GetExtendedResources(), NodeSelector: t.GetNodeSelector(),
	}
}

// toKubeRay converts a raykube template to KubeRay's. CPU and memory are rounded up to whole
// numbers: a template of 0.5 CPU reads as 1, never as 0, which KubeRay clients would take for
// "no CPU".
func toKubeRay(t *apiv1.ComputeTemplate) *compat.ComputeTemplate {
	if t == nil {
		return nil
	}
	return &compat.ComputeTemplate{
		Name: t.GetName(), Namespace: t.GetNamespace(),
		Cpu: roundUp(t.GetCpu()), Memory: roundUp(t.GetMemory()), MemoryUnit: t.GetMemoryUnit(),
		Gpu: t.GetGpu(), GpuAccelerator: t.GetGpuAccelerator(), Tolerations: t.GetTolerations(),
		ExtendedResources: t.GetExtendedResources(), NodeSelector: t.GetNodeSelector(),
	}
}

func toKubeRayAll(ts []*apiv1.ComputeTemplate) []*compat.ComputeTemplate {
	out := make([]*compat.ComputeTemplate, 0, len(ts))
	for _, t := range ts {
		out = append(out, toKubeRay(t))
	}
	return out
}

// roundUp rounds a positive amount up to a whole number, capped at the largest uint32.
func roundUp(v float64) uint32 {
	switch {
	case v <= 0 || math.IsNaN(v):
		return 0
	case v >= math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(math.Ceil(v))
}
