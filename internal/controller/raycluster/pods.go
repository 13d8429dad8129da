package raycluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

const (
	labelCluster  = raypod.ClusterLabel
	labelNodeType = raypod.NodeTypeLabel
	labelGroup    = raypod.GroupLabel
	nodeTypeHead  = raypod.HeadNodeType
	nodeTypeWork  = raypod.WorkerNodeType
	headGroup     = raypod.HeadGroupName
	// maxNamesInEvent bounds the pod names listed in one event.
	maxNamesInEvent = 10
)

// listPods returns the cluster's Ray pods as the cache shows them: those labelled with its name
// and controlled by it. A cluster deleted and created again under the same name finds the old
// one's pods until the garbage collector removes them; they are not its own.
func (r *Reconciler) listPods(ctx context.Context, c *rayv1.RayCluster) ([]corev1.Pod, error) {
	var list corev1.PodList
	err := r.client.List(ctx, &list, client.InNamespace(c.Namespace),
		client.MatchingLabels{labelCluster: c.Name})
	if err != nil {
		return nil, fmt.Errorf("listing the pods of the cluster: %w", err)
	}
	return slices.DeleteFunc(list.Items, func(p corev1.Pod) bool {
		return !metav1.IsControlledBy(&p, c)
	}), nil
}

// reconcilePods makes the pods match the spec: all gone while suspended, or when upgradeStrategy
// Recreate finds pods built from an older spec; otherwise one head pod and the desired number of
// workers per group, with dead pods replaced.
func (r *Reconciler) reconcilePods(ctx context.Context, obs *observation) error {
	if obs.cluster.Spec.Suspend != nil && *obs.cluster.Spec.Suspend {
		return r.deleteAllPods(ctx, obs, "the cluster is suspended")
	}
	if raypod.RecreateOnChange(obs.cluster) {
		outdated, settled := r.outdatedPods(obs)
		if !settled {
			ctrl.LoggerFrom(ctx).V(1).Info("Waiting for the cache to show the last pod changes")
			return nil
		}
		if outdated > 0 {
			return r.deleteAllPods(ctx, obs, fmt.Sprintf(
				"the spec changed (%d pods were built from an older one) and upgradeStrategy is "+
					"Recreate", outdated))
		}
	}
	err := r.reconcileHeadPod(ctx, obs)
	for i := range obs.cluster.Spec.WorkerGroupSpecs {
		err = errors.Join(err, r.reconcileWorkerGroup(ctx, obs, &obs.cluster.Spec.WorkerGroupSpecs[i]))
	}
	return errors.Join(err, r.deleteRemovedGroups(ctx, obs))
}

// reconcileHeadPod keeps exactly one live head pod: dead ones are deleted, extras are deleted
// newest first, and a missing one is created.
func (r *Reconciler) reconcileHeadPod(ctx context.Context, obs *observation) error {
	c := obs.cluster
	pods := podsOf(obs.pods, nodeTypeHead, headGroup)
	if !r.expectations.Satisfied(clusterID(c), headGroup, pods) {
		ctrl.LoggerFrom(ctx).V(1).Info("Waiting for the cache to show the last head pod change")
		return nil
	}
	live, dead := splitLive(pods)
	if len(live) > 1 {
		sortNewestFirst(live)
		dead = append(dead, live[:len(live)-1]...)
		live = live[len(live)-1:]
	}
	if len(dead) > 0 {
		deleted, err := r.deletePods(ctx, c, headGroup, dead)
		obs.podsChanged = obs.podsChanged || len(deleted) > 0
		r.eventPods(ctx, c, DeletedHeadPod, actionDelete, "Deleted head pods", "", deleted)
		if err != nil {
			obs.errs.DeleteHeadPod = err
			return err
		}
	}
	if len(live) == 1 {
		return nil
	}
	pod, err := raypod.BuildHeadPod(c, r.config.Pods)
	if err != nil {
		obs.errs.InvalidSpec = err
		return nil
	}
	created, err := r.createPods(ctx, c, headGroup, pod, 1)
	obs.podsChanged = obs.podsChanged || len(created) > 0
	r.eventPods(ctx, c, CreatedHeadPod, actionCreate, "Created head pod", "", created)
	if err != nil {
		obs.errs.CreateHeadPod = fmt.Errorf("creating the head pod: %w", err)
		return err
	}
	return nil
}

// reconcileWorkerGroup replaces dead workers, deletes the pods named in workersToDelete, then
// creates or deletes pods until the group has its desired number. With autoscaling on, the
// operator never picks pods to delete itself: the autoscaler names them.
func (r *Reconciler) reconcileWorkerGroup(ctx context.Context, obs *observation,
	g *rayv1.WorkerGroupSpec) error {
	c := obs.cluster
	pods := podsOf(obs.pods, nodeTypeWork, g.GroupName)
	if !r.expectations.Satisfied(clusterID(c), g.GroupName, pods) {
		ctrl.LoggerFrom(ctx).V(1).Info("Waiting for the cache to show the last worker change",
			"group", g.GroupName)
		return nil
	}
	live, doomed := splitLive(pods)
	live, named := takeNamed(live, g.ScaleStrategy.WorkersToDelete)
	doomed = append(doomed, named...)

	desired := int(GroupDesiredPods(g))
	if excess := len(live) - desired; excess > 0 && !raypod.AutoscalingEnabled(c) {
		sortScaleDownOrder(live)
		doomed = append(doomed, live[:excess]...)
		live = live[excess:]
	}
	if len(doomed) > 0 {
		deleted, err := r.deletePods(ctx, c, g.GroupName, doomed)
		obs.podsChanged = obs.podsChanged || len(deleted) > 0
		r.eventPods(ctx, c, DeletedWorkerPod, actionDelete, "Deleted worker pods", g.GroupName, deleted)
		if err != nil {
			obs.errs.DeleteWorkerPod = fmt.Errorf("deleting workers of group %s: %w", g.GroupName, err)
			return err
		}
	}
	missing := desired - len(live)
	if missing <= 0 {
		return nil
	}
	pod, err := raypod.BuildWorkerPod(c, g.GroupName, r.config.Pods)
	if err != nil {
		obs.errs.InvalidSpec = err
		return nil
	}
	created, err := r.createPods(ctx, c, g.GroupName, pod, missing)
	obs.podsChanged = obs.podsChanged || len(created) > 0
	r.eventPods(ctx, c, CreatedWorkerPod, actionCreate, "Created worker pods", g.GroupName, created)
	if err != nil {
		obs.errs.CreateWorkerPod = fmt.Errorf("creating workers of group %s: %w", g.GroupName, err)
		return err
	}
	return nil
}

// deleteRemovedGroups deletes the workers of groups that are no longer in the spec.
func (r *Reconciler) deleteRemovedGroups(ctx context.Context, obs *observation) error {
	inSpec := map[string]bool{}
	for _, g := range obs.cluster.Spec.WorkerGroupSpecs {
		inSpec[g.GroupName] = true
	}
	byGroup := map[string][]*corev1.Pod{}
	for i := range obs.pods {
		p := &obs.pods[i]
		group := p.Labels[labelGroup]
		if p.Labels[labelNodeType] == nodeTypeWork && !inSpec[group] && p.DeletionTimestamp == nil {
			byGroup[group] = append(byGroup[group], p)
		}
	}
	var errs error
	for group, pods := range byGroup {
		deleted, err := r.deletePods(ctx, obs.cluster, group, pods)
		obs.podsChanged = obs.podsChanged || len(deleted) > 0
		r.eventPods(ctx, obs.cluster, DeletedWorkerPod, actionDelete, "Deleted workers of removed group",
			group, deleted)
		if err != nil {
			obs.errs.DeleteWorkerPod = fmt.Errorf("deleting workers of removed group %s: %w", group, err)
			errs = errors.Join(errs, err)
		}
	}
	return errs
}

// deleteAllPods deletes every Ray pod of the cluster in one request, for the reason given.
func (r *Reconciler) deleteAllPods(ctx context.Context, obs *observation, why string) error {
	c := obs.cluster
	live, _ := splitLive(podPointers(obs.pods))
	if len(live) == 0 {
		return nil
	}
	err := r.client.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(c.Namespace),
		client.MatchingLabels{labelCluster: c.Name})
	if err != nil {
		obs.errs.DeleteAllPods = fmt.Errorf("deleting all pods of the cluster (%s): %w", why, err)
		return obs.errs.DeleteAllPods
	}
	for _, p := range live {
		r.expectations.ExpectDelete(clusterID(c), p.Labels[labelGroup], p.UID)
	}
	obs.podsChanged, obs.podsReplaced = true, true
	r.recorder.Eventf(c, nil, corev1.EventTypeNormal, string(DeletedAllPods), actionDelete,
		"Deleted all %d pods: %s", len(live), why)
	ctrl.LoggerFrom(ctx).Info("Deleted all pods of the cluster", "pods", len(live), "reason", why)
	return nil
}

// outdatedPods counts the live pods built from another spec than the current one (see
// raypod.SpecHash). Pods that carry no hash were made before the operator recorded it and are
// left alone. settled is false while the cache may not show the operator's last pod changes
// yet, when the count cannot be trusted.
func (r *Reconciler) outdatedPods(obs *observation) (outdated int, settled bool) {
	c := obs.cluster
	groups := []string{headGroup}
	for _, g := range c.Spec.WorkerGroupSpecs {
		groups = append(groups, g.GroupName)
	}
	for _, g := range groups {
		nodeType := nodeTypeWork
		if g == headGroup {
			nodeType = nodeTypeHead
		}
		if !r.expectations.Satisfied(clusterID(c), g, podsOf(obs.pods, nodeType, g)) {
			return 0, false
		}
	}
	want := raypod.SpecHash(c)
	live, _ := splitLive(podPointers(obs.pods))
	for _, p := range live {
		if hash, ok := p.Annotations[raypod.SpecHashAnnotation]; ok && hash != want {
			outdated++
		}
	}
	return outdated, true
}

// createPods creates n copies of template in parallel, at most PodConcurrency at a time, and
// returns the names of the pods created; it stops at the first refusal.
func (r *Reconciler) createPods(ctx context.Context, c *rayv1.RayCluster, group string,
	template *corev1.Pod, n int) ([]string, error) {
	return fanOut(ctx, r.config.PodConcurrency, make([]struct{}, n),
		func(ctx context.Context, _ struct{}) (string, error) {
			pod := template.DeepCopy()
			if err := r.client.Create(ctx, pod); err != nil {
				return "", err
			}
			r.expectations.ExpectCreate(clusterID(c), group, pod.Name)
			return pod.Name, nil
		})
}

// deletePods deletes pods in parallel, at most PodConcurrency at a time, and returns the names
// of the pods deleted. A pod already gone counts as deleted.
func (r *Reconciler) deletePods(ctx context.Context, c *rayv1.RayCluster, group string,
	pods []*corev1.Pod) ([]string, error) {
	return fanOut(ctx, r.config.PodConcurrency, pods,
		func(ctx context.Context, p *corev1.Pod) (string, error) {
			err := r.client.Delete(ctx, p, client.Preconditions{UID: &p.UID})
			if err != nil && !apierrors.IsNotFound(err) {
				return "", fmt.Errorf("deleting pod %s: %w", p.Name, err)
			}
			r.expectations.ExpectDelete(clusterID(c), group, p.UID)
			return p.Name, nil
		})
}

// fanOut runs do for every item, at most limit at a time, and returns the names of the items
// that succeeded, sorted. After the first failure no new call starts: when the API server refuses
// one pod (a quota, say) it refuses the others for the same reason.
func fanOut[T any](ctx context.Context, limit int, items []T,
	do func(context.Context, T) (string, error)) ([]string, error) {
	var mu sync.Mutex
	var done []string
	eg, egCtx := errgroup.WithContext(ctx)
	eg.SetLimit(limit)
	for _, item := range items {
		eg.Go(func() error {
			if egCtx.Err() != nil {
				return nil // an earlier call failed; do not pile up requests
			}
			name, err := do(egCtx, item)
			if err != nil {
				return err
			}
			mu.Lock()
			done = append(done, name)
			mu.Unlock()
			return nil
		})
	}
	err := eg.Wait()
	slices.Sort(done)
	return done, err
}

// eventPods logs and emits one event for a step that created or deleted pods, listing their
// names.
func (r *Reconciler) eventPods(ctx context.Context, c *rayv1.RayCluster, reason EventReason,
	action, what, group string, names []string) {
	if len(names) == 0 {
		return
	}
	ctrl.LoggerFrom(ctx).Info(what, "group", group, "pods", names)
	where := ""
	if group != "" {
		where = " in group " + group
	}
	listed := names
	more := ""
	if len(names) > maxNamesInEvent {
		listed = names[:maxNamesInEvent]
		more = fmt.Sprintf(" and %d more", len(names)-maxNamesInEvent)
	}
	r.recorder.Eventf(c, nil, corev1.EventTypeNormal, string(reason), action, "%s%s (%d): %s%s",
		what, where, len(names), strings.Join(listed, ", "), more)
}

// podsOf returns pointers to the pods of one node type and group.
func podsOf(pods []corev1.Pod, nodeType, group string) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range pods {
		if pods[i].Labels[labelNodeType] == nodeType && pods[i].Labels[labelGroup] == group {
			out = append(out, &pods[i])
		}
	}
	return out
}

func podPointers(pods []corev1.Pod) []*corev1.Pod {
	out := make([]*corev1.Pod, len(pods))
	for i := range pods {
		out[i] = &pods[i]
	}
	return out
}

// splitLive separates live pods from dead ones, which need replacing. Pods already terminating
// are in neither: they are on their way out.
func splitLive(pods []*corev1.Pod) (live, dead []*corev1.Pod) {
	for _, p := range pods {
		switch {
		case p.DeletionTimestamp != nil:
		case isDead(p):
			dead = append(dead, p)
		default:
			live = append(live, p)
		}
	}
	return live, dead
}

// isDead reports whether a pod will never run Ray again: it failed or completed (an eviction
// leaves phase Failed), or its Ray container terminated and the pod never restarts containers.
func isDead(p *corev1.Pod) bool {
	switch p.Status.Phase {
	case corev1.PodFailed, corev1.PodSucceeded:
		return true
	case corev1.PodRunning:
		if p.Spec.RestartPolicy != corev1.RestartPolicyNever || len(p.Spec.Containers) == 0 {
			return false
		}
		ray := p.Spec.Containers[0].Name
		for _, cs := range p.Status.ContainerStatuses {
			if cs.Name == ray && cs.State.Terminated != nil {
				return true
			}
		}
	}
	return false
}

// takeNamed moves the pods whose names are listed out of live.
func takeNamed(live []*corev1.Pod, names []string) (rest, named []*corev1.Pod) {
	if len(names) == 0 {
		return live, nil
	}
	for _, p := range live {
		if slices.Contains(names, p.Name) {
			named = append(named, p)
		} else {
			rest = append(rest, p)
		}
	}
	return rest, named
}

// sortNewestFirst orders pods by creation time, newest first, so the oldest stays.
func sortNewestFirst(pods []*corev1.Pod) {
	slices.SortStableFunc(pods, func(a, b *corev1.Pod) int {
		return b.CreationTimestamp.Compare(a.CreationTimestamp.Time)
	})
}

// sortScaleDownOrder orders workers by how little is lost by deleting them: pods not yet
// running, then running but not ready, then ready ones; newest first within each.
func sortScaleDownOrder(pods []*corev1.Pod) {
	rank := func(p *corev1.Pod) int {
		switch {
		case p.Status.Phase != corev1.PodRunning:
			return 0
		case !podReady(p):
			return 1
		default:
			return 2
		}
	}
	slices.SortStableFunc(pods, func(a, b *corev1.Pod) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return b.CreationTimestamp.Compare(a.CreationTimestamp.Time)
	})
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
