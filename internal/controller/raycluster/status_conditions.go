package raycluster

import (
	"fmt"
	"regexp"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Reasons of the suspend conditions. The API package names no reasons for them; a true
// condition takes its own type as reason, as KubeRay's tooling expects.
const (
	// suspendNotRequestedReason is the reason of both suspend conditions while spec.suspend is
	// not true.
	suspendNotRequestedReason = "SuspendNotRequested"
	// suspendingReason is the reason of both suspend conditions while pods are being deleted.
	suspendingReason = string(rayv1.RayClusterSuspending)
	// suspendedReason is the reason of both suspend conditions once every pod is gone.
	suspendedReason = string(rayv1.RayClusterSuspended)
)

// containersNotReadyReason is the reason the kubelet gives a pod's Ready condition when some
// of its containers are not ready. k8s.io/api does not export it.
const containersNotReadyReason = "ContainersNotReady"

// Limits that metav1.Condition's schema puts on reason and message. A status that breaks them
// is refused as a whole, so texts taken from pods and errors are made to fit.
const (
	maxConditionReasonLength  = 1024
	maxConditionMessageLength = 32768
)

// conditionReasonPattern is the pattern metav1.Condition's schema requires of a reason.
var conditionReasonPattern = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`)

// setStatusConditions brings the conditions of st, which start as the previous ones, up to
// date. meta.SetStatusCondition keeps a condition's lastTransitionTime unless its status
// changes, which is what makes the conditions stable across reconciles.
func setStatusConditions(st *rayv1.RayClusterStatus, obs *podObservation, errs ReconcileErrors,
	podsReplaced bool, generation int64, now metav1.Time) {
	set := func(c metav1.Condition) {
		c.ObservedGeneration = generation
		c.LastTransitionTime = now
		c.Reason = validConditionReason(c.Reason)
		c.Message = truncateConditionMessage(c.Message)
		meta.SetStatusCondition(&st.Conditions, c)
	}
	// Read before it is overwritten: once provisioned, a cluster stays provisioned.
	wasProvisioned := meta.IsStatusConditionTrue(st.Conditions,
		string(rayv1.RayClusterProvisioned))

	set(headPodReadyCondition(obs.head))
	set(obs.provisionedCondition(wasProvisioned, podsReplaced))
	suspending, suspended := obs.suspendConditions()
	set(suspending)
	set(suspended)
	if c, failing := replicaFailureCondition(errs); failing {
		set(c)
	} else {
		meta.RemoveStatusCondition(&st.Conditions, string(rayv1.RayClusterReplicaFailure))
	}
}

// headPodReadyCondition mirrors the head pod's Ready condition. When the pod is not ready
// because of its containers, the reason is the Ray container's own reason (CrashLoopBackOff,
// ErrImagePull, ...), which says far more than the pod's ContainersNotReady.
func headPodReadyCondition(head *corev1.Pod) metav1.Condition {
	c := metav1.Condition{Type: string(rayv1.HeadPodReady), Status: metav1.ConditionFalse}
	if head == nil {
		c.Reason, c.Message = rayv1.HeadPodNotFound, "The cluster has no head pod."
		return c
	}
	if podRunningAndReady(head) {
		c.Status, c.Reason = metav1.ConditionTrue, rayv1.HeadPodRunningAndReady
		c.Message = fmt.Sprintf("The head pod %s is running and ready.", head.Name)
		return c
	}

	ready := podCondition(head, corev1.PodReady)
	if ready != nil && ready.Reason == containersNotReadyReason {
		if reason, message, ok := rayContainerProblem(head); ok {
			c.Reason, c.Message = reason, message
			return c
		}
	}
	if ready != nil && ready.Reason != "" {
		c.Reason = ready.Reason
		c.Message = sentence(reasonAndMessage(
			fmt.Sprintf("The head pod %s is not ready", head.Name), ready.Message))
		return c
	}
	if msg, ok := unschedulableMessage(head); ok {
		c.Reason = corev1.PodReasonUnschedulable
		c.Message = sentence(fmt.Sprintf("The head pod %s is unschedulable: %s", head.Name, msg))
		return c
	}
	c.Reason = rayv1.UnknownReason
	c.Message = fmt.Sprintf("The head pod %s is %s and reports no readiness yet.",
		head.Name, podPhase(head))
	return c
}

// rayContainerProblem is the reason the Ray container of pod gives for not running, and a
// message naming the container, if it gives one.
func rayContainerProblem(pod *corev1.Pod) (reason, message string, ok bool) {
	st := rayContainerStatus(pod)
	switch {
	case st == nil:
		return "", "", false
	case st.State.Waiting != nil && st.State.Waiting.Reason != "":
		w := st.State.Waiting
		return w.Reason, sentence(fmt.Sprintf("The Ray container %s of pod %s is waiting: %s",
			st.Name, pod.Name, reasonAndMessage(w.Reason, w.Message))), true
	case st.State.Terminated != nil && st.State.Terminated.Reason != "":
		t := st.State.Terminated
		return t.Reason, sentence(fmt.Sprintf(
			"The Ray container %s of pod %s terminated with exit code %d: %s",
			st.Name, pod.Name, t.ExitCode, reasonAndMessage(t.Reason, t.Message))), true
	}
	return "", "", false
}

// provisionedCondition is True from the first time every desired pod is Running and Ready
// until the operator deletes every pod on purpose (podsReplaced: to suspend the cluster or to
// rebuild it from a changed spec): a worker that dies later does not make the cluster
// unprovisioned, while a resumed or rebuilt cluster has to come up completely again.
func (o *podObservation) provisionedCondition(wasProvisioned, podsReplaced bool) metav1.Condition {
	c := metav1.Condition{Type: string(rayv1.RayClusterProvisioned)}
	ready, desired := o.podProgress()
	switch {
	case o.suspendCompleted():
		c.Status, c.Reason = metav1.ConditionFalse, rayv1.RayClusterPodsProvisioning
		c.Message = "The cluster is suspended; its pods are provisioned again when it resumes."
	case podsReplaced:
		c.Status, c.Reason = metav1.ConditionFalse, rayv1.RayClusterPodsProvisioning
		c.Message = "Every pod was deleted, to suspend the cluster or to rebuild it from a " +
			"changed spec; it is provisioned again once every desired pod is running and ready."
	case wasProvisioned || (ready == desired && !o.suspendRequested()):
		c.Status, c.Reason = metav1.ConditionTrue, rayv1.AllPodRunningAndReadyFirstTime
		c.Message = "Every desired pod has been running and ready."
	default:
		c.Status, c.Reason = metav1.ConditionFalse, rayv1.RayClusterPodsProvisioning
		c.Message = fmt.Sprintf("%d of %d desired pods are running and ready.", ready, desired)
	}
	return c
}

// suspendConditions are RayClusterSuspending, true while the pods of a cluster asked to
// suspend are being deleted, and RayClusterSuspended, true once they are all gone. At most
// one of them is true.
func (o *podObservation) suspendConditions() (suspending, suspended metav1.Condition) {
	suspending = metav1.Condition{Type: string(rayv1.RayClusterSuspending),
		Status: metav1.ConditionFalse}
	suspended = metav1.Condition{Type: string(rayv1.RayClusterSuspended),
		Status: metav1.ConditionFalse}
	switch {
	case !o.suspendRequested():
		suspending.Reason, suspended.Reason = suspendNotRequestedReason, suspendNotRequestedReason
		suspending.Message = "spec.suspend is not true."
		suspended.Message = suspending.Message
	case o.rayPods > 0:
		suspending.Status = metav1.ConditionTrue
		suspending.Reason, suspended.Reason = suspendingReason, suspendingReason
		suspending.Message = fmt.Sprintf("Deleting the cluster's Ray pods: %s left.",
			countNoun(int64(o.rayPods), "pod"))
		suspended.Message = suspending.Message
	default:
		suspended.Status = metav1.ConditionTrue
		suspending.Reason, suspended.Reason = suspendedReason, suspendedReason
		suspended.Message = "spec.suspend is true and every Ray pod is deleted."
		suspending.Message = suspended.Message
	}
	return suspending, suspended
}

// replicaFailureCondition is the ReplicaFailure condition for the first pod the API server
// refused to create or delete in this reconcile; false when it refused none.
func replicaFailureCondition(errs ReconcileErrors) (metav1.Condition, bool) {
	failures := []struct {
		err    error
		reason string
	}{
		{errs.CreateHeadPod, rayv1.FailedCreateHeadPod},
		{errs.CreateWorkerPod, rayv1.FailedCreateWorkerPod},
		{errs.DeleteHeadPod, rayv1.FailedDeleteHeadPod},
		{errs.DeleteWorkerPod, rayv1.FailedDeleteWorkerPod},
		{errs.DeleteAllPods, rayv1.FailedDeleteAllPods},
	}
	for _, f := range failures {
		if f.err != nil {
			return metav1.Condition{
				Type:    string(rayv1.RayClusterReplicaFailure),
				Status:  metav1.ConditionTrue,
				Reason:  f.reason,
				Message: errorText(f.err),
			}, true
		}
	}
	return metav1.Condition{}, false
}

// validConditionReason returns reason if the condition schema accepts it, else Unknown. Pod
// and container reasons come from kubelets and webhooks, which may use any text.
func validConditionReason(reason string) string {
	if len(reason) > maxConditionReasonLength || !conditionReasonPattern.MatchString(reason) {
		return rayv1.UnknownReason
	}
	return reason
}

// truncateConditionMessage cuts message to the schema's limit, at a character boundary.
func truncateConditionMessage(message string) string {
	if len(message) <= maxConditionMessageLength {
		return message
	}
	cut := maxConditionMessageLength
	for cut > 0 && !utf8.RuneStart(message[cut]) {
		cut--
	}
	return message[:cut]
}
