package raycluster

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// StatusInput is everything ComputeStatus reads.
type StatusInput struct {
	// Cluster is the RayCluster as read at the start of the reconcile. Its spec and generation
	// say what is desired; its status is the previous status, from which conditions and
	// timestamps carry over. ComputeStatus never modifies it.
	Cluster *rayv1.RayCluster
	// Pods are the Ray pods of this cluster in the informer cache, told apart by the labels
	// ray.io/node-type (head or worker) and ray.io/group. Pods with another node type are
	// ignored.
	Pods []corev1.Pod
	// HeadService is the head Service in the informer cache; nil while it does not exist.
	HeadService *corev1.Service
	// Errors are what failed in this reconcile.
	Errors ReconcileErrors
	// PodsReplaced is set when this reconcile deleted every pod of the cluster on purpose, to
	// suspend it or to rebuild it from a changed spec: the cluster is no longer provisioned,
	// even while the cache still shows the old pods ready.
	PodsReplaced bool
	// Now is the current time, from the reconciler's injected clock. It must not be zero:
	// meta.SetStatusCondition falls back to the wall clock when a transition time is missing.
	Now metav1.Time
}

// ReconcileErrors are the failures of one reconcile that the status reports. A nil error means
// the step succeeded or did not run. The texts end up in status.reason and in the
// ReplicaFailure condition, so wrap them with what a reader needs, such as the group name.
type ReconcileErrors struct {
	// CreateHeadPod is the API server's refusal to create the head pod.
	CreateHeadPod error
	// CreateWorkerPod is the API server's refusal to create a worker pod.
	CreateWorkerPod error
	// DeleteHeadPod is the API server's refusal to delete a head pod.
	DeleteHeadPod error
	// DeleteWorkerPod is the API server's refusal to delete a worker pod.
	DeleteWorkerPod error
	// DeleteAllPods is the API server's refusal to delete the pods of a cluster being suspended.
	DeleteAllPods error
	// CreateService is the API server's refusal to create a Service of the cluster (head,
	// headless or serve).
	CreateService error
	// CreateObject is the API server's refusal to create any other object the cluster needs,
	// such as the Ingress or the autoscaler's ServiceAccount, Role and RoleBinding.
	CreateObject error
	// InvalidSpec says what in the spec the operator cannot act on; its text names the field.
	InvalidSpec error
	// RayConfig are the rayStartParams problems, each one sentence naming the parameter.
	RayConfig []string
}

// maxReplicaCount is the largest value of the int32 replica counts of the status; sums that
// would exceed it are capped there rather than wrapping around.
const maxReplicaCount = math.MaxInt32

// ComputeStatus returns the status of in.Cluster as observed in this reconcile. It is a pure
// function: it calls no API, reads no clock and modifies none of its input. Calling it again
// with its own result as the previous status and nothing else changed gives the same status,
// so the reconciler can write the status only when it differs from the stored one.
func ComputeStatus(in StatusInput) rayv1.RayClusterStatus {
	if in.Cluster == nil {
		return rayv1.RayClusterStatus{}
	}
	// A metav1.Time keeps whole seconds once written; truncating here makes a computed status
	// compare equal to the same status read back from the API server.
	now := in.Now.Rfc3339Copy()
	prev := in.Cluster.Status.DeepCopy()
	spec := &in.Cluster.Spec
	obs := observePods(spec, in.Pods)

	status := rayv1.RayClusterStatus{
		ObservedGeneration:   in.Cluster.Generation,
		Endpoints:            headServiceEndpoints(in.HeadService),
		Head:                 headInfo(obs.head, in.HeadService),
		Conditions:           prev.Conditions,
		LastUpdateTime:       prev.LastUpdateTime,
		StateTransitionTimes: prev.StateTransitionTimes,
	}
	setReplicaCounts(&status, spec, obs)
	setDesiredResources(&status, spec)
	setStatusConditions(&status, obs, in.Errors, in.PodsReplaced, in.Cluster.Generation, now)
	status.State, status.Reason = obs.clusterState(in.Errors, status.Conditions)

	if status.State != prev.State && status.State != "" {
		if status.StateTransitionTimes == nil {
			status.StateTransitionTimes = map[rayv1.ClusterState]*metav1.Time{}
		}
		status.StateTransitionTimes[status.State] = now.DeepCopy()
	}
	// Both sides carry the previous lastUpdateTime here, so this compares everything else.
	if !apiequality.Semantic.DeepEqual(status, *prev) {
		status.LastUpdateTime = now.DeepCopy()
	}
	return status
}

// GroupDesiredReplicas is the number of replicas worker group g should have: replicas clamped
// to [minReplicas, maxReplicas], minReplicas when replicas is unset, and 0 while the group is
// suspended. When minReplicas > maxReplicas (which admission refuses) maxReplicas wins, as the
// smaller number is the safer reading of a contradictory spec.
func GroupDesiredReplicas(g *rayv1.WorkerGroupSpec) int64 {
	if g.Suspend != nil && *g.Suspend {
		return 0
	}
	lo := groupMinReplicas(g)
	replicas := lo
	if g.Replicas != nil {
		replicas = max(int64(*g.Replicas), 0)
	}
	return min(max(replicas, lo), groupMaxReplicas(g))
}

// GroupDesiredPods is the number of pods worker group g should have: GroupDesiredReplicas
// times numOfHosts. It is at most (2^31-1)^2, so it never overflows.
func GroupDesiredPods(g *rayv1.WorkerGroupSpec) int64 {
	return GroupDesiredReplicas(g) * groupNumOfHosts(g)
}

// groupMinReplicas is minReplicas with its default (0) applied.
func groupMinReplicas(g *rayv1.WorkerGroupSpec) int64 {
	if g.MinReplicas == nil {
		return 0
	}
	return max(int64(*g.MinReplicas), 0)
}

// groupMaxReplicas is maxReplicas with its default (2147483647) applied.
func groupMaxReplicas(g *rayv1.WorkerGroupSpec) int64 {
	if g.MaxReplicas == nil {
		return math.MaxInt32
	}
	return max(int64(*g.MaxReplicas), 0)
}

// groupNumOfHosts is numOfHosts, read as 1 when it is 0: the field is not a pointer, so an
// object that skipped the CRD defaulting (a unit test, a client-side dry run) carries 0 for
// "unset". Admission refuses negative values; they are read as 1 too.
func groupNumOfHosts(g *rayv1.WorkerGroupSpec) int64 {
	return max(int64(g.NumOfHosts), 1)
}

// addReplicaCount adds two non-negative counts, capped at maxReplicaCount. Capping at every
// step keeps the running sum small enough that the next addition cannot overflow int64.
func addReplicaCount(sum, n int64) int64 {
	return min(sum+n, maxReplicaCount)
}

// podObservation is what the status needs to know about the cluster's pods.
type podObservation struct {
	spec *rayv1.RayClusterSpec
	// head is the head pod the status reports, nil when there is none.
	head *corev1.Pod
	// workers are the worker pods not being deleted, sorted by group and name so that the
	// reason picks the same pod on every reconcile.
	workers []*corev1.Pod
	// rayPods counts every head and worker pod, including those being deleted: a suspend is
	// complete only when none is left.
	rayPods int
}

// observePods sorts the pods of the cluster into head and workers.
func observePods(spec *rayv1.RayClusterSpec, pods []corev1.Pod) *podObservation {
	obs := &podObservation{spec: spec}
	var heads []*corev1.Pod
	for i := range pods {
		pod := &pods[i]
		switch pod.Labels[raypod.NodeTypeLabel] {
		case raypod.HeadNodeType:
			heads = append(heads, pod)
		case raypod.WorkerNodeType:
			if pod.DeletionTimestamp == nil {
				obs.workers = append(obs.workers, pod)
			}
		default:
			continue
		}
		obs.rayPods++
	}
	slices.SortFunc(obs.workers, func(a, b *corev1.Pod) int {
		return cmp.Or(strings.Compare(a.Labels[raypod.GroupLabel], b.Labels[raypod.GroupLabel]),
			strings.Compare(a.Name, b.Name))
	})
	if len(heads) > 0 {
		// Several head pods exist only while the extras or a dead head are being deleted. Report
		// the one the reconciler keeps: alive, not terminated, the oldest.
		obs.head = slices.MinFunc(heads, compareHeadCandidates)
	}
	return obs
}

// compareHeadCandidates orders head pods from the one most likely to stay to the least.
func compareHeadCandidates(a, b *corev1.Pod) int {
	rank := func(p *corev1.Pod) int {
		switch {
		case p.DeletionTimestamp != nil:
			return 2
		case p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded:
			return 1
		}
		return 0
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)),
		a.CreationTimestamp.Compare(b.CreationTimestamp.Time),
		strings.Compare(a.Name, b.Name))
}

// suspendRequested reports whether spec.suspend is true.
func (o *podObservation) suspendRequested() bool {
	return o.spec.Suspend != nil && *o.spec.Suspend
}

// suspendCompleted reports whether the cluster is suspended: asked to be, and no pod left.
func (o *podObservation) suspendCompleted() bool {
	return o.suspendRequested() && o.rayPods == 0
}

// headServing reports whether the head pod is Running, Ready and not being deleted. A head
// being deleted is about to stop serving, so it does not make the cluster ready.
func (o *podObservation) headServing() bool {
	return o.head != nil && o.head.DeletionTimestamp == nil && podRunningAndReady(o.head)
}

// podProgress counts the desired pods (the head and every group's desired workers) and how
// many of them are Running and Ready. Groups are counted one by one, so that extra pods in one
// group do not hide missing pods in another.
func (o *podObservation) podProgress() (ready, desired int64) {
	readyByGroup := map[string]int64{}
	for _, pod := range o.workers {
		if podRunningAndReady(pod) {
			readyByGroup[pod.Labels[raypod.GroupLabel]]++
		}
	}
	desired = 1
	if o.headServing() {
		ready = 1
	}
	for i := range o.spec.WorkerGroupSpecs {
		g := &o.spec.WorkerGroupSpecs[i]
		want := GroupDesiredPods(g)
		desired = addReplicaCount(desired, want)
		ready = addReplicaCount(ready, min(readyByGroup[g.GroupName], want))
	}
	return ready, desired
}

// setReplicaCounts fills in the worker replica counts. Pods being deleted count neither as
// ready nor as available: they are on their way out.
func setReplicaCounts(st *rayv1.RayClusterStatus, spec *rayv1.RayClusterSpec, obs *podObservation) {
	var desired, lo, hi int64
	for i := range spec.WorkerGroupSpecs {
		g := &spec.WorkerGroupSpecs[i]
		hosts := groupNumOfHosts(g)
		desired = addReplicaCount(desired, GroupDesiredPods(g))
		lo = addReplicaCount(lo, groupMinReplicas(g)*hosts)
		hi = addReplicaCount(hi, groupMaxReplicas(g)*hosts)
	}
	st.DesiredWorkerReplicas = int32(desired)
	st.MinWorkerReplicas = int32(lo)
	st.MaxWorkerReplicas = int32(hi)

	for _, pod := range obs.workers {
		if pod.Status.Phase != corev1.PodRunning {
			continue
		}
		st.AvailableWorkerReplicas = int32(addReplicaCount(int64(st.AvailableWorkerReplicas), 1))
		if podRunningAndReady(pod) {
			st.ReadyWorkerReplicas = int32(addReplicaCount(int64(st.ReadyWorkerReplicas), 1))
		}
	}
}

// tpuResource is the resource name of Google Cloud TPUs.
const tpuResource corev1.ResourceName = "google.com/tpu"

// setDesiredResources fills in the resources the cluster asks for: the head pod once plus
// each group's pod template times GroupDesiredPods, the same count as desiredWorkerReplicas,
// so that the two columns of `kubectl get` agree. Only the templates' containers count: init
// containers, pod overhead and the autoscaler sidecar the operator adds are left out.
func setDesiredResources(st *rayv1.RayClusterStatus, spec *rayv1.RayClusterSpec) {
	total := corev1.ResourceList{}
	addPodResources(total, &spec.HeadGroupSpec.Template.Spec, 1)
	for i := range spec.WorkerGroupSpecs {
		g := &spec.WorkerGroupSpecs[i]
		addPodResources(total, &g.Template.Spec, GroupDesiredPods(g))
	}

	st.DesiredCPU, st.DesiredMemory, st.DesiredGPU, st.DesiredTPU = resourceColumns(total)
}

// PodResources returns the CPU, memory, GPU and TPU that one pod built from template pod asks
// for, counted as desiredCPU, desiredMemory, desiredGPU and desiredTPU count them, so that a
// per-pod figure shown beside the status adds up to it.
func PodResources(pod *corev1.PodSpec) (cpu, memory, gpu, tpu resource.Quantity) {
	total := corev1.ResourceList{}
	addPodResources(total, pod, 1)
	return resourceColumns(total)
}

// resourceColumns picks the four quantities the status reports out of total: CPU, memory, the
// sum of every resource whose name ends in "gpu", and google.com/tpu.
func resourceColumns(total corev1.ResourceList) (cpu, memory, gpu, tpu resource.Quantity) {
	// Sorted, so that the unit of the sum (taken from its first term) is the same every time.
	for _, name := range slices.Sorted(maps.Keys(total)) {
		if strings.HasSuffix(string(name), "gpu") {
			gpu.Add(total[name])
		}
	}
	return storableQuantity(total[corev1.ResourceCPU]), storableQuantity(total[corev1.ResourceMemory]),
		storableQuantity(gpu), storableQuantity(total[tpuResource])
}

// storableQuantity returns q in a form that reads back as the same value. Kubernetes caps a
// quantity written with a binary suffix (Ki, Mi, ...) at 2^63-1 when it parses it, so a sum
// beyond that is written in decimal, which parses exactly; otherwise the status read back
// would differ from the one computed, and be written again on every reconcile.
func storableQuantity(q resource.Quantity) resource.Quantity {
	if _, fits := q.AsInt64(); !fits && q.Format == resource.BinarySI {
		q.Format = resource.DecimalSI
	}
	return q
}

// addPodResources adds times the resources of pod's containers to total. Per container, a
// request wins and a limit fills in a resource without a request, because that is what the
// scheduler reserves: an unset request defaults to the limit. The quantities of the spec are
// copied before any arithmetic, as they share their big-number storage with the spec.
func addPodResources(total corev1.ResourceList, pod *corev1.PodSpec, times int64) {
	if times == 0 {
		return
	}
	for i := range pod.Containers {
		res := &pod.Containers[i].Resources
		for name, q := range res.Requests {
			addResource(total, name, q, times)
		}
		for name, q := range res.Limits {
			if _, requested := res.Requests[name]; !requested {
				addResource(total, name, q, times)
			}
		}
	}
}

// addResource adds times q to total[name].
func addResource(total corev1.ResourceList, name corev1.ResourceName, q resource.Quantity,
	times int64) {
	q = q.DeepCopy()
	// Mul reports false when the product no longer fits an int64; the product is still exact.
	q.Mul(times)
	sum, ok := total[name]
	if !ok {
		total[name] = q
		return
	}
	sum.Add(q)
	total[name] = sum
}

// headServiceEndpoints maps each named port of the head Service to the port a client connects
// to. It is rebuilt on every reconcile, so a port removed from the Service disappears.
func headServiceEndpoints(svc *corev1.Service) map[string]string {
	if svc == nil {
		return nil
	}
	var endpoints map[string]string
	for _, port := range svc.Spec.Ports {
		// An unnamed port has no key to be found under.
		if port.Name == "" {
			continue
		}
		if endpoints == nil {
			endpoints = map[string]string{}
		}
		endpoints[port.Name] = endpointPort(port)
	}
	return endpoints
}

// endpointPort is the node port when the Service has one (NodePort, LoadBalancer), else the
// target port, else the Service port.
func endpointPort(port corev1.ServicePort) string {
	switch {
	case port.NodePort != 0:
		return strconv.Itoa(int(port.NodePort))
	case port.TargetPort.Type == intstr.Int && port.TargetPort.IntVal != 0:
		return strconv.Itoa(int(port.TargetPort.IntVal))
	case port.TargetPort.Type == intstr.String && port.TargetPort.StrVal != "":
		return port.TargetPort.StrVal
	}
	return strconv.Itoa(int(port.Port))
}

// headInfo says where the head pod and the head Service are.
func headInfo(head *corev1.Pod, svc *corev1.Service) rayv1.HeadInfo {
	var info rayv1.HeadInfo
	if head != nil {
		info.PodName = head.Name
		info.PodIP = head.Status.PodIP
	}
	if svc != nil {
		info.ServiceName = svc.Name
		info.ServiceIP = svc.Spec.ClusterIP
		// A headless Service resolves to the head pod itself.
		if svc.Spec.ClusterIP == corev1.ClusterIPNone {
			info.ServiceIP = info.PodIP
		}
	}
	return info
}

// clusterState decides state and reason, in the order of precedence of the contract:
// suspended, failed, unhealthy, ready, then provisioning (the empty state).
func (o *podObservation) clusterState(errs ReconcileErrors,
	conds []metav1.Condition) (rayv1.ClusterState, string) {
	if o.suspendCompleted() {
		return rayv1.Suspended,
			"The cluster is suspended: spec.suspend is true and every Ray pod is deleted."
	}
	if failures := o.failures(errs); len(failures) > 0 {
		return rayv1.Failed, sentenceWithMore(failures[0], len(failures)-1)
	}
	if len(errs.RayConfig) > 0 {
		return rayv1.Unhealthy, cmp.Or(
			sentenceWithMore(errs.RayConfig[0], len(errs.RayConfig)-1),
			"The rayStartParams are misconfigured.")
	}
	provisioned := meta.IsStatusConditionTrue(conds, string(rayv1.RayClusterProvisioned))
	// A cluster asked to suspend is going away, even while its pods still look ready.
	if provisioned && o.headServing() && !o.suspendRequested() {
		return rayv1.Ready, ""
	}
	return "", o.provisioningReason()
}

// failures lists, most fundamental first, the problems that make the cluster failed: an
// invalid spec, an object the API server refused, a Ray container that cannot start.
func (o *podObservation) failures(errs ReconcileErrors) []string {
	var out []string
	if errs.InvalidSpec != nil {
		out = append(out, "The spec is invalid: "+errorText(errs.InvalidSpec))
	}
	refusals := []struct {
		err  error
		what string
	}{
		{errs.CreateHeadPod, "create the head pod"},
		{errs.CreateWorkerPod, "create a worker pod"},
		{errs.DeleteHeadPod, "delete a head pod"},
		{errs.DeleteWorkerPod, "delete a worker pod"},
		{errs.DeleteAllPods, "delete the pods of the suspended cluster"},
		{errs.CreateService, "create a Service"},
		{errs.CreateObject, "create an object the cluster needs"},
	}
	for _, r := range refusals {
		if r.err != nil {
			out = append(out, fmt.Sprintf("The API server refused to %s: %s", r.what,
				errorText(r.err)))
		}
	}
	pods := o.workers
	if o.head != nil && o.head.DeletionTimestamp == nil {
		pods = append([]*corev1.Pod{o.head}, pods...)
	}
	for _, pod := range pods {
		if msg, ok := podStartFailure(pod); ok {
			out = append(out, msg)
		}
	}
	return out
}

// provisioningReason explains what the cluster is waiting for while its state is empty.
func (o *podObservation) provisioningReason() string {
	switch {
	case o.suspendRequested():
		return fmt.Sprintf("Suspending: waiting for %s to be deleted.",
			countNoun(int64(o.rayPods), "Ray pod"))
	case o.head == nil:
		return "Waiting for the head pod to be created."
	case !o.headServing():
		return headNotServingReason(o.head)
	}
	ready, desired := o.podProgress()
	// The head is ready, so what is missing are workers; the head is not part of the counts.
	reason := fmt.Sprintf("Waiting for worker pods: %d of %d desired worker pods are running "+
		"and ready", ready-1, desired-1)
	for _, pod := range o.workers {
		if msg, ok := unschedulableMessage(pod); ok {
			reason += fmt.Sprintf("; worker pod %s of group %s is unschedulable: %s",
				pod.Name, pod.Labels[raypod.GroupLabel], msg)
			break
		}
	}
	return sentence(reason)
}

// headNotServingReason explains why the head pod does not serve yet.
func headNotServingReason(head *corev1.Pod) string {
	if head.DeletionTimestamp != nil {
		return fmt.Sprintf("The head pod %s is being deleted.", head.Name)
	}
	if msg, ok := unschedulableMessage(head); ok {
		return sentence(fmt.Sprintf("The head pod %s is unschedulable: %s", head.Name, msg))
	}
	switch phase := head.Status.Phase; phase {
	case corev1.PodFailed, corev1.PodSucceeded:
		return fmt.Sprintf("The head pod %s has phase %s and is being replaced.", head.Name, phase)
	case corev1.PodRunning:
		reason := fmt.Sprintf("The head pod %s is running but not ready", head.Name)
		if ready := podCondition(head, corev1.PodReady); ready != nil && ready.Message != "" {
			reason += ": " + ready.Message
		}
		return sentence(reason)
	}
	reason := fmt.Sprintf("The head pod %s is %s", head.Name, podPhase(head))
	if st := rayContainerStatus(head); st != nil && st.State.Waiting != nil &&
		st.State.Waiting.Reason != "" {
		reason += fmt.Sprintf(": its Ray container %s is %s", st.Name, st.State.Waiting.Reason)
	}
	return sentence(reason)
}

// podPhase is the pod's phase, or Pending when the pod has none yet.
func podPhase(pod *corev1.Pod) corev1.PodPhase {
	return cmp.Or(pod.Status.Phase, corev1.PodPending)
}

// containerStartFailures are the waiting reasons of a container that will not start without
// a change to the spec or to the cluster: a bad image, a bad configuration, or a crash loop.
var containerStartFailures = map[string]bool{
	"ErrImagePull":               true,
	"ImagePullBackOff":           true,
	"InvalidImageName":           true,
	"CreateContainerConfigError": true,
	"CreateContainerError":       true,
	"CrashLoopBackOff":           true,
}

// podStartFailure describes why the Ray container of pod cannot start, if it cannot. Init
// containers are checked too: the Ray container never starts while one of them is stuck (the
// workers' wait-for-GCS init container runs the Ray image, so a bad image shows there first).
func podStartFailure(pod *corev1.Pod) (string, bool) {
	if st := rayContainerStatus(pod); st != nil {
		if w := st.State.Waiting; w != nil && containerStartFailures[w.Reason] {
			return sentence(fmt.Sprintf("The Ray container %s of %s cannot start: %s",
				st.Name, describePod(pod), reasonAndMessage(w.Reason, w.Message))), true
		}
	}
	for _, st := range pod.Status.InitContainerStatuses {
		if w := st.State.Waiting; w != nil && containerStartFailures[w.Reason] {
			return sentence(fmt.Sprintf("The init container %s of %s cannot start: %s",
				st.Name, describePod(pod), reasonAndMessage(w.Reason, w.Message))), true
		}
	}
	return "", false
}

// describePod names a Ray pod for a sentence: "head pod x" or "worker pod y of group z".
func describePod(pod *corev1.Pod) string {
	if pod.Labels[raypod.NodeTypeLabel] == raypod.HeadNodeType {
		return "head pod " + pod.Name
	}
	return fmt.Sprintf("worker pod %s of group %s", pod.Name, pod.Labels[raypod.GroupLabel])
}

// rayContainerStatus is the status of the pod's Ray container (its first container), or nil
// while the kubelet has not reported it.
func rayContainerStatus(pod *corev1.Pod) *corev1.ContainerStatus {
	if len(pod.Spec.Containers) == 0 {
		return nil
	}
	// Statuses are matched by name: their order is not promised to follow the spec's.
	name := pod.Spec.Containers[0].Name
	for i := range pod.Status.ContainerStatuses {
		if pod.Status.ContainerStatuses[i].Name == name {
			return &pod.Status.ContainerStatuses[i]
		}
	}
	return nil
}

// unschedulableMessage is the scheduler's message for a Pending pod it cannot place.
func unschedulableMessage(pod *corev1.Pod) (string, bool) {
	if podPhase(pod) != corev1.PodPending {
		return "", false
	}
	c := podCondition(pod, corev1.PodScheduled)
	if c == nil || c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable {
		return "", false
	}
	return cmp.Or(c.Message, "no message from the scheduler"), true
}

// podRunningAndReady reports whether pod is Running with condition Ready=True.
func podRunningAndReady(pod *corev1.Pod) bool {
	ready := podCondition(pod, corev1.PodReady)
	return pod.Status.Phase == corev1.PodRunning && ready != nil &&
		ready.Status == corev1.ConditionTrue
}

// podCondition returns the pod's condition of type t, or nil.
func podCondition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

// errorText is the text of err, never empty, so that a sentence built around it still reads.
func errorText(err error) string {
	return cmp.Or(err.Error(), "no reason given")
}

// reasonAndMessage joins a machine reason and its human message as "Reason: message".
func reasonAndMessage(reason, message string) string {
	if message == "" {
		return reason
	}
	return reason + ": " + message
}

// sentenceWithMore turns the first of several problems into the one sentence of
// status.reason, saying how many more there are; the events carry them all.
func sentenceWithMore(first string, more int) string {
	if more == 0 {
		return sentence(first)
	}
	return sentence(fmt.Sprintf("%s (and %s)", strings.TrimRight(first, ". "),
		countNoun(int64(more), "more problem")))
}

// sentence ends s with a period unless it already ends a sentence. Texts of API errors and of
// the scheduler come with and without one.
func sentence(s string) string {
	s = strings.TrimRight(s, " ")
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") ||
		strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// countNoun writes "1 pod" or "3 pods".
func countNoun(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
