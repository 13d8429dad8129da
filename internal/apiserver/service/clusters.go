package service

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// clusterKind names clusters in messages.
const clusterKind = "cluster"

// CreateCluster validates a cluster, reads the compute templates it names and creates its
// RayCluster in namespace ns. Nothing is created unless every check passes; the RayCluster is
// one object, so a failed create leaves nothing behind.
func (s *Service) CreateCluster(ctx context.Context, ns string, in *apiv1.Cluster) (
	*apiv1.Cluster, error) {
	if err := checkNamespace(ns); err != nil {
		return nil, err
	}
	if errs := convert.ValidateCluster(in, ns); len(errs) > 0 {
		return nil, invalid("cluster", errs)
	}
	templates, err := s.templatesOf(ctx, in)
	if err != nil {
		return nil, err
	}
	rc, err := convert.ClusterToRayCluster(in, templates, s.opts)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid cluster: %v", err)
	}
	// The operator's own checks, so that the API refuses what the operator would refuse too.
	if err := raypod.ValidateSpec(rc); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid cluster: %v", err)
	}
	if err := s.client.Create(ctx, rc); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return nil, alreadyExists(clusterKind, ns, in.Name, "")
		}
		return nil, fromKube(err, "creating the RayCluster")
	}
	return convert.RayClusterToCluster(rc), nil
}

// templateRef is a field that names a compute template.
type templateRef struct {
	path *field.Path
	name string
}

// templateRefs are the fields of a validated cluster that name compute templates.
func templateRefs(c *apiv1.Cluster) []templateRef {
	spec := c.ClusterSpec
	refs := []templateRef{{field.NewPath("clusterSpec", "headGroupSpec", "computeTemplate"),
		spec.HeadGroupSpec.ComputeTemplate}}
	for i, w := range spec.WorkerGroupSpec {
		refs = append(refs, templateRef{field.NewPath("clusterSpec", "workerGroupSpec").Index(i).
			Child("computeTemplate"), w.ComputeTemplate})
	}
	return refs
}

// templatesOf reads every compute template the cluster's groups name. A template that does not
// exist is an InvalidArgument error naming the template and the field that names it.
func (s *Service) templatesOf(ctx context.Context, c *apiv1.Cluster) (
	map[string]*apiv1.ComputeTemplate, error) {
	templates := map[string]*apiv1.ComputeTemplate{}
	var errs field.ErrorList
	for _, ref := range templateRefs(c) {
		if _, seen := templates[ref.name]; seen {
			continue
		}
		t, err := s.getTemplate(ctx, c.Namespace, ref.name)
		switch {
		case status.Code(err) == codes.NotFound:
			errs = append(errs, field.Invalid(ref.path, ref.name, fmt.Sprintf(
				"the compute template does not exist in namespace %q", c.Namespace)))
		case err != nil:
			return nil, err
		default:
			templates[ref.name] = t
		}
	}
	if len(errs) > 0 {
		return nil, invalid("cluster", errs)
	}
	return templates, nil
}

// GetCluster returns a cluster with its events.
func (s *Service) GetCluster(ctx context.Context, ns, name string) (*apiv1.Cluster, error) {
	if err := checkKey(ns, name); err != nil {
		return nil, err
	}
	rc := &rayv1.RayCluster{}
	if err := s.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, rc); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, notFound(clusterKind, ns, name)
		}
		return nil, fromKube(err, "reading the RayCluster")
	}
	clusters := s.withEvents(ctx, []rayv1.RayCluster{*rc})
	return clusters[0], nil
}

// ListClusters returns a page of the clusters of namespace ns, or of every namespace when ns is
// empty, and the token of the next page.
func (s *Service) ListClusters(ctx context.Context, ns string, page Page) (
	[]*apiv1.Cluster, string, error) {
	if err := checkList(ns, page); err != nil {
		return nil, "", err
	}
	var list rayv1.RayClusterList
	opts := []client.ListOption{client.Limit(page.Limit), client.Continue(page.Continue)}
	if ns != "" {
		opts = append(opts, client.InNamespace(ns))
	}
	if err := s.client.List(ctx, &list, opts...); err != nil {
		return nil, "", fromKube(err, "listing RayClusters")
	}
	return s.withEvents(ctx, list.Items), list.Continue, nil
}

// DeleteCluster deletes a cluster's RayCluster; Kubernetes deletes its pods and services after
// it.
func (s *Service) DeleteCluster(ctx context.Context, ns, name string) error {
	if err := checkKey(ns, name); err != nil {
		return err
	}
	rc := &rayv1.RayCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	err := s.client.Delete(ctx, rc, client.PropagationPolicy(metav1.DeletePropagationBackground))
	switch {
	case apierrors.IsNotFound(err):
		return notFound(clusterKind, ns, name)
	case err != nil:
		return fromKube(err, "deleting the RayCluster")
	}
	return nil
}
