package raycluster

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// reconcileServices creates the head Service, and the headless and serve Services when the
// cluster needs them. Existing Services are left as they are.
func (r *Reconciler) reconcileServices(ctx context.Context, obs *observation) error {
	c := obs.cluster
	head, err := raypod.BuildHeadService(c, r.config.Pods)
	if err != nil {
		obs.errs.InvalidSpec = err
		return nil
	}
	existing, err := r.ensure(ctx, c, head, &corev1.Service{}, CreatedService, FailedToCreateService)
	if err != nil {
		obs.errs.CreateService = err
		return err
	}
	obs.headService = existing.(*corev1.Service)

	var errs []error
	if raypod.HeadlessServiceNeeded(c) {
		errs = append(errs, r.ensureService(ctx, obs, raypod.BuildHeadlessService(c, r.config.Pods)))
	}
	if raypod.ServeServiceEnabled(c) {
		errs = append(errs, r.ensureService(ctx, obs, raypod.BuildServeService(c, r.config.Pods)))
	}
	return errors.Join(errs...)
}

func (r *Reconciler) ensureService(ctx context.Context, obs *observation, svc *corev1.Service) error {
	_, err := r.ensure(ctx, obs.cluster, svc, &corev1.Service{}, CreatedService, FailedToCreateService)
	if err != nil {
		obs.errs.CreateService = err
	}
	return err
}

// reconcileIngress creates the head Ingress when the spec asks for it.
func (r *Reconciler) reconcileIngress(ctx context.Context, obs *observation) error {
	c := obs.cluster
	if !raypod.IngressEnabled(c) {
		return nil
	}
	ingress := raypod.BuildIngress(c, r.config.Pods)
	_, err := r.ensure(ctx, c, ingress, ingress.DeepCopy(), CreatedIngress, FailedToCreateIngress)
	if err != nil {
		obs.errs.CreateObject = err
	}
	return err
}

// reconcileAutoscalerRBAC creates the ServiceAccount, Role and RoleBinding the autoscaler needs
// when autoscaling is on. A ServiceAccount the head template names is the user's to create.
func (r *Reconciler) reconcileAutoscalerRBAC(ctx context.Context, obs *observation) error {
	c := obs.cluster
	if !raypod.AutoscalingEnabled(c) {
		return nil
	}
	objs := []client.Object{raypod.BuildRole(c, r.config.Pods), raypod.BuildRoleBinding(c, r.config.Pods)}
	if c.Spec.HeadGroupSpec.Template.Spec.ServiceAccountName == "" {
		objs = append(objs, raypod.BuildServiceAccount(c, r.config.Pods))
	}
	var errs []error
	for _, obj := range objs {
		empty := obj.DeepCopyObject().(client.Object)
		if _, err := r.ensure(ctx, c, obj, empty, CreatedRBAC, FailedToCreateRBAC); err != nil {
			errs = append(errs, err)
		}
	}
	err := errors.Join(errs...)
	if err != nil {
		obs.errs.CreateObject = err
	}
	return err
}

// reconcileAuthSecret creates the Secret with the cluster's Ray token when token authentication
// is on and the spec names no Secret of the user's. An existing Secret keeps its token: pods
// already running use it.
func (r *Reconciler) reconcileAuthSecret(ctx context.Context, obs *observation) error {
	c := obs.cluster
	if !raypod.GeneratesAuthSecret(c) {
		return nil
	}
	secret, err := raypod.BuildAuthSecret(c, r.config.Pods)
	if err == nil {
		_, err = r.ensure(ctx, c, secret, &corev1.Secret{}, CreatedSecret, FailedToCreateSecret)
	}
	if err != nil {
		obs.errs.CreateObject = err
	}
	return err
}

// ensure returns the object named like want from the cache, creating want when it is missing.
// into receives what the cache holds. A create that finds the object already there (the cache
// had not seen it yet) counts as success. Creating emits a Normal event, a refusal a Warning.
func (r *Reconciler) ensure(ctx context.Context, c *rayv1.RayCluster, want, into client.Object,
	created, failed EventReason) (client.Object, error) {
	err := r.client.Get(ctx, client.ObjectKeyFromObject(want), into)
	if err == nil {
		return into, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading %s %s: %w", objectKind(want), want.GetName(), err)
	}
	err = r.client.Create(ctx, want)
	switch {
	case apierrors.IsAlreadyExists(err):
		return want, nil
	case err != nil:
		r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(failed), actionCreate,
			"Failed to create %s %s: %v", objectKind(want), want.GetName(), err)
		return nil, fmt.Errorf("creating %s %s: %w", objectKind(want), want.GetName(), err)
	}
	r.recorder.Eventf(c, nil, corev1.EventTypeNormal, string(created), actionCreate,
		"Created %s %s", objectKind(want), want.GetName())
	ctrl.LoggerFrom(ctx).Info("Created object", "kind", objectKind(want), "name", want.GetName())
	return want, nil
}

// objectKind names the kind of an object the cluster owns, for messages.
func objectKind(obj client.Object) string {
	switch obj.(type) {
	case *corev1.Service:
		return "Service"
	case *corev1.ServiceAccount:
		return "ServiceAccount"
	case *networkingv1.Ingress:
		return "Ingress"
	case *rbacv1.Role:
		return "Role"
	case *rbacv1.RoleBinding:
		return "RoleBinding"
	case *corev1.Secret:
		return "Secret"
	}
	return fmt.Sprintf("%T", obj)
}
