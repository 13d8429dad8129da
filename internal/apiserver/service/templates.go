package service

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// templateKind names compute templates in messages.
const templateKind = "compute template"

// CreateComputeTemplate validates a template and stores it as a ConfigMap in namespace ns.
func (s *Service) CreateComputeTemplate(ctx context.Context, ns string,
	in *apiv1.ComputeTemplate) (*apiv1.ComputeTemplate, error) {
	if err := checkNamespace(ns); err != nil {
		return nil, err
	}
	if errs := convert.ValidateComputeTemplate(in, ns); len(errs) > 0 {
		return nil, invalid("compute template", errs)
	}
	cm, err := convert.TemplateToConfigMap(convert.WithDefaults(in), s.opts)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid compute template: %v", err)
	}
	if err := s.client.Create(ctx, cm); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return nil, alreadyExists(templateKind, ns, in.Name,
				" (or another ConfigMap of that name does)")
		}
		return nil, fromKube(err, "creating the compute template's ConfigMap")
	}
	return readTemplate(cm)
}

// GetComputeTemplate returns one template.
func (s *Service) GetComputeTemplate(ctx context.Context, ns, name string) (
	*apiv1.ComputeTemplate, error) {
	if err := checkKey(ns, name); err != nil {
		return nil, err
	}
	return s.getTemplate(ctx, ns, name)
}

// getTemplate reads a template; a ConfigMap that is not labelled as one is not found.
func (s *Service) getTemplate(ctx context.Context, ns, name string) (
	*apiv1.ComputeTemplate, error) {
	cm, err := s.getTemplateConfigMap(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return readTemplate(cm)
}

func (s *Service) getTemplateConfigMap(ctx context.Context, ns, name string) (
	*corev1.ConfigMap, error) {
	cm := &corev1.ConfigMap{}
	err := s.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm)
	switch {
	case apierrors.IsNotFound(err) || (err == nil && !convert.IsTemplateConfigMap(cm)):
		return nil, notFound(templateKind, ns, name)
	case err != nil:
		return nil, fromKube(err, "reading the compute template's ConfigMap")
	}
	return cm, nil
}

// readTemplate reads a template's ConfigMap. One edited into something unreadable is a
// FailedPrecondition: the data has to be fixed before the call can succeed.
func readTemplate(cm *corev1.ConfigMap) (*apiv1.ComputeTemplate, error) {
	t, err := convert.ConfigMapToTemplate(cm)
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "compute template %s in namespace %s "+
			"cannot be read: %v", convert.Quote(cm.Name), convert.Quote(cm.Namespace), err)
	}
	return t, nil
}

// ListComputeTemplates returns a page of the templates of namespace ns, or of every namespace
// when ns is empty, and the token of the next page. A template whose ConfigMap cannot be read is
// left out and logged.
func (s *Service) ListComputeTemplates(ctx context.Context, ns string, page Page) (
	[]*apiv1.ComputeTemplate, string, error) {
	if err := checkList(ns, page); err != nil {
		return nil, "", err
	}
	var list corev1.ConfigMapList
	opts := []client.ListOption{client.Limit(page.Limit), client.Continue(page.Continue),
		client.MatchingLabels{convert.ConfigTypeLabel: convert.ConfigTypeTemplate}}
	if ns != "" {
		opts = append(opts, client.InNamespace(ns))
	}
	if err := s.client.List(ctx, &list, opts...); err != nil {
		return nil, "", fromKube(err, "listing the compute templates' ConfigMaps")
	}
	out := make([]*apiv1.ComputeTemplate, 0, len(list.Items))
	for i := range list.Items {
		t, err := convert.ConfigMapToTemplate(&list.Items[i])
		if err != nil {
			log.FromContext(ctx).Info("Skipping an unreadable compute template",
				"error", err.Error())
			continue
		}
		out = append(out, t)
	}
	return out, list.Continue, nil
}

// DeleteComputeTemplate deletes a template's ConfigMap, and only a ConfigMap that is a
// template. Clusters created from the template keep their sizes.
func (s *Service) DeleteComputeTemplate(ctx context.Context, ns, name string) error {
	if err := checkKey(ns, name); err != nil {
		return err
	}
	cm, err := s.getTemplateConfigMap(ctx, ns, name)
	if err != nil {
		return err
	}
	err = s.client.Delete(ctx, cm, client.Preconditions{UID: &cm.UID})
	switch {
	case apierrors.IsNotFound(err):
		return notFound(templateKind, ns, name)
	case err != nil:
		return fromKube(err, "deleting the compute template's ConfigMap")
	}
	return nil
}
