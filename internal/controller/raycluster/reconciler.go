package raycluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// The backoff of failed reconciles.
const (
	retryBaseDelay = 50 * time.Millisecond
	retryMaxDelay  = time.Minute
)

// managedByKubeRay is the spec.managedBy value (besides unset) that this operator acts on; any
// other value hands the cluster to another controller.
const managedByKubeRay = "ray.io/kuberay-operator"

// Config is the reconciler's configuration, fixed at start-up.
type Config struct {
	// Pods are the settings of the pod and service builders.
	Pods raypod.Options
	// PodConcurrency bounds the pod creates or deletes of one step that run at once.
	PodConcurrency int
}

// Reconciler reconciles RayClusters: it creates the head Service, the head pod, the worker pods
// and the other objects a cluster needs, replaces dead pods, scales groups, and writes the
// status.
type Reconciler struct {
	client       client.Client
	recorder     events.EventRecorder
	clock        clock.PassiveClock
	config       Config
	expectations *Expectations
	statusWrites *statusWrites
}

// NewReconciler returns a reconciler that reads and writes through c (a cached client), emits
// events through recorder and reads time from clk.
func NewReconciler(c client.Client, recorder events.EventRecorder, clk clock.PassiveClock,
	config Config) *Reconciler {
	if config.PodConcurrency < 1 {
		config.PodConcurrency = 1
	}
	return &Reconciler{client: c, recorder: recorder, clock: clk, config: config,
		expectations: NewExpectations(clk), statusWrites: newStatusWrites()}
}

// SetupWithManager registers the reconciler with mgr, running up to concurrency reconciles at
// once. It watches RayClusters and the objects they own; owned objects map to their cluster.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("raycluster").
		For(&rayv1.RayCluster{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{},
			predicate.LabelChangedPredicate{}))).
		Owns(&corev1.Pod{}).
		Owns(&corev1.Service{}).
		Owns(&networkingv1.Ingress{}).
		Owns(&corev1.ServiceAccount{}).
		Owns(&rbacv1.Role{}).
		Owns(&rbacv1.RoleBinding{}).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: concurrency,
			// A refused create (a quota, say) is retried with backoff; the cap keeps a cluster
			// whose cause went away from waiting long to notice.
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](
				retryBaseDelay, retryMaxDelay),
		}).
		Complete(r)
}

// +kubebuilder:rbac:groups=ray.io,resources=rayclusters,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=ray.io,resources=rayclusters/status,verbs=get;update;patch
// The operator grants the autoscaler pods patch in a Role, and may grant only what it holds.
// +kubebuilder:rbac:groups=core,resources=pods,verbs=get;list;watch;create;delete;deletecollection;patch
// +kubebuilder:rbac:groups=core,resources=services;serviceaccounts,verbs=get;list;watch;create
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses,verbs=get;list;watch;create
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch;create
// The operator reads only the token Secrets it generated (the cache selects them by label).
// +kubebuilder:rbac:groups=core,resources=secrets,verbs=get;list;watch;create
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one RayCluster's objects to what its spec asks for and writes its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	cluster := &rayv1.RayCluster{}
	if err := r.client.Get(ctx, req.NamespacedName, cluster); err != nil {
		if apierrors.IsNotFound(err) {
			// The cluster's objects are garbage-collected through their owner references.
			r.expectations.Forget(req.NamespacedName)
			r.statusWrites.forget(req.NamespacedName)
			metrics.forget(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !managedHere(cluster) || !cluster.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}

	obs := &observation{cluster: cluster}
	prevStatus := cluster.Status.DeepCopy()
	stepErr := r.reconcileSteps(ctx, obs)
	result, statusErr := r.writeStatus(ctx, obs)
	metrics.observe(cluster, prevStatus)

	if obs.errs.InvalidSpec != nil {
		// Nothing the operator does will make an invalid spec valid; a spec change will
		// trigger the next reconcile.
		return ctrl.Result{}, errors.Join(reconcile.TerminalError(obs.errs.InvalidSpec), statusErr)
	}
	if err := errors.Join(stepErr, statusErr); err != nil {
		return ctrl.Result{}, err // backoff; never together with RequeueAfter
	}
	return result, nil
}

// observation is what one reconcile saw and did: the cluster, its pods and head Service as the
// cache shows them, and the API server's refusals.
type observation struct {
	cluster     *rayv1.RayCluster
	pods        []corev1.Pod
	headService *corev1.Service
	errs        ReconcileErrors
	warnings    []string
	// podsChanged is set when this reconcile created or deleted pods: the cache is behind.
	podsChanged bool
	// podsReplaced is set when this reconcile deleted every pod on purpose (suspend, or
	// upgradeStrategy Recreate).
	podsReplaced bool
}

// reconcileSteps runs the steps in order: an invalid spec stops everything; the head Service
// comes before the pods, whose workers connect to it by name; the pods come last.
func (r *Reconciler) reconcileSteps(ctx context.Context, obs *observation) error {
	cluster := obs.cluster
	if err := raypod.ValidateSpec(cluster); err != nil {
		obs.errs.InvalidSpec = err
		return nil
	}
	obs.errs.RayConfig, obs.warnings = raypod.ValidateRayStartParams(cluster)

	pods, err := r.listPods(ctx, cluster)
	if err != nil {
		return err
	}
	obs.pods = pods

	return errors.Join(
		r.reconcileServices(ctx, obs),
		r.reconcileIngress(ctx, obs),
		r.reconcileAutoscalerRBAC(ctx, obs),
		r.reconcileAuthSecret(ctx, obs),
		r.reconcilePods(ctx, obs),
	)
}

// writeStatus computes the status from the observation and patches it when it changed, then
// emits the events the change calls for. Every status write is an API request, so two kinds of
// change wait: a reconcile that just created or deleted pods knows the cache is behind (the pod
// events bring the next reconcile at once), and a change of progress alone (replica counts,
// condition messages) is written at most once per statusProgressInterval. Changes of state,
// reason, condition status or reason, endpoints or head are written when seen.
func (r *Reconciler) writeStatus(ctx context.Context, obs *observation) (ctrl.Result, error) {
	cluster := obs.cluster
	now := r.clock.Now()
	status := ComputeStatus(StatusInput{
		Cluster:      cluster,
		Pods:         obs.pods,
		HeadService:  obs.headService,
		Errors:       obs.errs,
		PodsReplaced: obs.podsReplaced,
		Now:          metav1.NewTime(now),
	})
	if apiequality.Semantic.DeepEqual(status, cluster.Status) {
		return ctrl.Result{}, nil
	}
	// Deleting every pod is the exception: the cache still shows them ready, and the status must
	// stop saying so before the pods come back.
	if obs.podsChanged && !obs.errs.any() && !obs.podsReplaced {
		return ctrl.Result{}, nil
	}
	if onlyProgressChanged(&cluster.Status, &status) {
		if wait := r.statusWrites.wait(cluster.UID, now); wait > 0 {
			return ctrl.Result{RequeueAfter: wait}, nil
		}
	}

	original := cluster.DeepCopy()
	cluster.Status = status
	if err := r.client.Status().Patch(ctx, cluster, client.MergeFrom(original)); err != nil {
		cluster.Status = original.Status // what is stored
		return ctrl.Result{}, fmt.Errorf("writing the status: %w", err)
	}
	r.statusWrites.record(client.ObjectKeyFromObject(cluster), cluster.UID, now)
	r.emitStatusEvents(ctx, original, obs, &status)
	if original.Status.State != status.State {
		ctrl.LoggerFrom(ctx).Info("Cluster state changed",
			"from", original.Status.State, "to", status.State, "reason", status.Reason)
	}
	return ctrl.Result{}, nil
}

// managedHere reports whether this operator, rather than another controller named in
// spec.managedBy, reconciles the cluster.
func managedHere(c *rayv1.RayCluster) bool {
	return c.Spec.ManagedBy == nil || *c.Spec.ManagedBy == managedByKubeRay
}

// clusterID identifies this incarnation of the cluster for the expectations.
func clusterID(c *rayv1.RayCluster) ClusterID {
	return ClusterID{NamespacedName: client.ObjectKeyFromObject(c), UID: c.UID}
}
