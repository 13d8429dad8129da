// Package handler implements the API server's gRPC services, which the HTTP gateway calls too:
// each method takes the request apart and hands it to the service layer.
package handler

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/apiserver/service"
)

// Clusters implements the cluster service.
type Clusters struct {
	apiv1.UnimplementedClusterServiceServer
	svc *service.Service
}

// NewClusters returns the cluster service over svc.
func NewClusters(svc *service.Service) *Clusters {
	return &Clusters{svc: svc}
}

// CreateCluster creates a cluster.
func (h *Clusters) CreateCluster(ctx context.Context, req *apiv1.CreateClusterRequest) (
	*apiv1.Cluster, error) {
	if req.GetCluster() == nil {
		return nil, status.Error(codes.InvalidArgument, "cluster: Required value: the cluster "+
			"to create, over HTTP the request body, a JSON object")
	}
	return h.svc.CreateCluster(ctx, req.GetNamespace(), req.GetCluster())
}

// GetCluster returns a cluster.
func (h *Clusters) GetCluster(ctx context.Context, req *apiv1.GetClusterRequest) (
	*apiv1.Cluster, error) {
	return h.svc.GetCluster(ctx, req.GetNamespace(), req.GetName())
}

// ListClusters returns a page of the clusters of a namespace.
func (h *Clusters) ListClusters(ctx context.Context, req *apiv1.ListClustersRequest) (
	*apiv1.ListClustersResponse, error) {
	if req.GetNamespace() == "" {
		return nil, status.Error(codes.InvalidArgument, "namespace: Required value")
	}
	clusters, next, err := h.svc.ListClusters(ctx, req.GetNamespace(),
		service.Page{Limit: req.GetLimit(), Continue: req.GetContinue()})
	if err != nil {
		return nil, err
	}
	return &apiv1.ListClustersResponse{Clusters: clusters, Continue: next}, nil
}

// ListAllClusters returns a page of the clusters of every namespace.
func (h *Clusters) ListAllClusters(ctx context.Context, req *apiv1.ListAllClustersRequest) (
	*apiv1.ListAllClustersResponse, error) {
	clusters, next, err := h.svc.ListClusters(ctx, "",
		service.Page{Limit: req.GetLimit(), Continue: req.GetContinue()})
	if err != nil {
		return nil, err
	}
	return &apiv1.ListAllClustersResponse{Clusters: clusters, Continue: next}, nil
}

// DeleteCluster deletes a cluster.
func (h *Clusters) DeleteCluster(ctx context.Context, req *apiv1.DeleteClusterRequest) (
	*emptypb.Empty, error) {
	if err := h.svc.DeleteCluster(ctx, req.GetNamespace(), req.GetName()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// ComputeTemplates implements the compute-template service.
type ComputeTemplates struct {
	apiv1.UnimplementedComputeTemplateServiceServer
	svc *service.Service
}

// NewComputeTemplates returns the compute-template service over svc.
func NewComputeTemplates(svc *service.Service) *ComputeTemplates {
	return &ComputeTemplates{svc: svc}
}

// CreateComputeTemplate creates a compute template.
func (h *ComputeTemplates) CreateComputeTemplate(ctx context.Context,
	req *apiv1.CreateComputeTemplateRequest) (*apiv1.ComputeTemplate, error) {
	if req.GetComputeTemplate() == nil {
		return nil, status.Error(codes.InvalidArgument, "computeTemplate: Required value: the "+
			"compute template to create, over HTTP the request body, a JSON object")
	}
	return h.svc.CreateComputeTemplate(ctx, req.GetNamespace(), req.GetComputeTemplate())
}

// GetComputeTemplate returns a compute template.
func (h *ComputeTemplates) GetComputeTemplate(ctx context.Context,
	req *apiv1.GetComputeTemplateRequest) (*apiv1.ComputeTemplate, error) {
	return h.svc.GetComputeTemplate(ctx, req.GetNamespace(), req.GetName())
}

// ListComputeTemplates returns a page of the compute templates of a namespace.
func (h *ComputeTemplates) ListComputeTemplates(ctx context.Context,
	req *apiv1.ListComputeTemplatesRequest) (*apiv1.ListComputeTemplatesResponse, error) {
	if req.GetNamespace() == "" {
		return nil, status.Error(codes.InvalidArgument, "namespace: Required value")
	}
	templates, next, err := h.svc.ListComputeTemplates(ctx, req.GetNamespace(),
		service.Page{Limit: req.GetLimit(), Continue: req.GetContinue()})
	if err != nil {
		return nil, err
	}
	return &apiv1.ListComputeTemplatesResponse{ComputeTemplates: templates, Continue: next}, nil
}

// ListAllComputeTemplates returns a page of the compute templates of every namespace.
func (h *ComputeTemplates) ListAllComputeTemplates(ctx context.Context,
	req *apiv1.ListAllComputeTemplatesRequest) (*apiv1.ListAllComputeTemplatesResponse, error) {
	templates, next, err := h.svc.ListComputeTemplates(ctx, "",
		service.Page{Limit: req.GetLimit(), Continue: req.GetContinue()})
	if err != nil {
		return nil, err
	}
	return &apiv1.ListAllComputeTemplatesResponse{ComputeTemplates: templates, Continue: next}, nil
}

// DeleteComputeTemplate deletes a compute template.
func (h *ComputeTemplates) DeleteComputeTemplate(ctx context.Context,
	req *apiv1.DeleteComputeTemplateRequest) (*emptypb.Empty, error) {
	if err := h.svc.DeleteComputeTemplate(ctx, req.GetNamespace(), req.GetName()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
