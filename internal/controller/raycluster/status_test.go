package raycluster

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// at is a fixed instant, minute minutes after the start of the test clock.
func at(minute int) metav1.Time {
	return metav1.Date(2025, time.March, 1, 12, minute, 0, 0, time.UTC)
}

// periodError is an error whose text ends a sentence, as some API server and admission
// messages do; the status must not end up with two periods.
type periodError string

func (e periodError) Error() string { return string(e) }

// clusterBuilder builds a RayCluster named demo; methods about a group act on the last one.
type clusterBuilder struct{ cluster rayv1.RayCluster }

func makeCluster() *clusterBuilder {
	return &clusterBuilder{cluster: rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "default", Generation: 1},
		Spec: rayv1.RayClusterSpec{
			HeadGroupSpec: rayv1.HeadGroupSpec{Template: rayTemplate("ray-head")},
		},
	}}
}

func rayTemplate(container string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: container, Image: "rayproject/ray:2.52.0"},
	}}}
}

func (b *clusterBuilder) withWorkers(group string, replicas int32) *clusterBuilder {
	b.cluster.Spec.WorkerGroupSpecs = append(b.cluster.Spec.WorkerGroupSpecs,
		rayv1.WorkerGroupSpec{GroupName: group, Replicas: new(replicas),
			Template: rayTemplate("ray-worker")})
	return b
}

func (b *clusterBuilder) group() *rayv1.WorkerGroupSpec {
	return &b.cluster.Spec.WorkerGroupSpecs[len(b.cluster.Spec.WorkerGroupSpecs)-1]
}

func (b *clusterBuilder) minReplicas(n int32) *clusterBuilder {
	b.group().MinReplicas = new(n)
	return b
}

func (b *clusterBuilder) maxReplicas(n int32) *clusterBuilder {
	b.group().MaxReplicas = new(n)
	return b
}

func (b *clusterBuilder) numOfHosts(n int32) *clusterBuilder {
	b.group().NumOfHosts = n
	return b
}

func (b *clusterBuilder) unsetReplicas() *clusterBuilder {
	b.group().Replicas = nil
	return b
}

func (b *clusterBuilder) suspendGroup() *clusterBuilder {
	b.group().Suspend = new(true)
	return b
}

func (b *clusterBuilder) headResources(requests, limits corev1.ResourceList) *clusterBuilder {
	b.cluster.Spec.HeadGroupSpec.Template.Spec.Containers[0].Resources =
		corev1.ResourceRequirements{Requests: requests, Limits: limits}
	return b
}

func (b *clusterBuilder) workerResources(requests, limits corev1.ResourceList) *clusterBuilder {
	b.group().Template.Spec.Containers[0].Resources =
		corev1.ResourceRequirements{Requests: requests, Limits: limits}
	return b
}

// workerSidecar adds a second container with the given resources to the group's template.
func (b *clusterBuilder) workerSidecar(requests, limits corev1.ResourceList) *clusterBuilder {
	spec := &b.group().Template.Spec
	spec.Containers = append(spec.Containers, corev1.Container{Name: "sidecar",
		Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits}})
	return b
}

func (b *clusterBuilder) suspend() *clusterBuilder {
	b.cluster.Spec.Suspend = new(true)
	return b
}

func (b *clusterBuilder) generation(g int64) *clusterBuilder {
	b.cluster.Generation = g
	return b
}

// previous sets a condition of the previous status.
func (b *clusterBuilder) previous(c metav1.Condition) *clusterBuilder {
	meta.SetStatusCondition(&b.cluster.Status.Conditions, c)
	return b
}

func (b *clusterBuilder) obj() *rayv1.RayCluster { return b.cluster.DeepCopy() }

// podBuilder builds a Ray pod; head and worker set its labels and its Ray container.
type podBuilder struct{ pod corev1.Pod }

func makePod(name string) *podBuilder {
	return &podBuilder{pod: corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Name: name, Namespace: "default", CreationTimestamp: at(0),
	}}}
}

func (b *podBuilder) head() *podBuilder {
	return b.role(raypod.HeadNodeType, raypod.HeadGroupName, "ray-head")
}

func (b *podBuilder) worker(group string) *podBuilder {
	return b.role(raypod.WorkerNodeType, group, "ray-worker")
}

func (b *podBuilder) role(nodeType, group, container string) *podBuilder {
	b.pod.Labels = map[string]string{raypod.ClusterLabel: "demo",
		raypod.NodeTypeLabel: nodeType, raypod.GroupLabel: group}
	b.pod.Spec.Containers = []corev1.Container{{Name: container}}
	return b
}

func (b *podBuilder) condition(t corev1.PodConditionType, s corev1.ConditionStatus,
	reason, message string) *podBuilder {
	b.pod.Status.Conditions = append(b.pod.Status.Conditions,
		corev1.PodCondition{Type: t, Status: s, Reason: reason, Message: message})
	return b
}

// rayContainer sets the state of the Ray container, adding one to a pod without containers.
func (b *podBuilder) rayContainer(state corev1.ContainerState) *podBuilder {
	if len(b.pod.Spec.Containers) == 0 {
		b.pod.Spec.Containers = []corev1.Container{{Name: "ray"}}
	}
	b.pod.Status.ContainerStatuses = []corev1.ContainerStatus{
		{Name: b.pod.Spec.Containers[0].Name, State: state}}
	return b
}

func (b *podBuilder) pending() *podBuilder {
	b.pod.Status.Phase = corev1.PodPending
	return b
}

func (b *podBuilder) unschedulable(message string) *podBuilder {
	b.pod.Status.Phase = corev1.PodPending
	return b.condition(corev1.PodScheduled, corev1.ConditionFalse,
		corev1.PodReasonUnschedulable, message)
}

func (b *podBuilder) running() *podBuilder {
	b.pod.Status.Phase = corev1.PodRunning
	b.condition(corev1.PodScheduled, corev1.ConditionTrue, "", "")
	return b.rayContainer(corev1.ContainerState{Running: &corev1.ContainerStateRunning{}})
}

func (b *podBuilder) ready() *podBuilder {
	return b.condition(corev1.PodReady, corev1.ConditionTrue, "", "")
}

func (b *podBuilder) notReady(reason, message string) *podBuilder {
	return b.condition(corev1.PodReady, corev1.ConditionFalse, reason, message)
}

func (b *podBuilder) waiting(reason, message string) *podBuilder {
	return b.rayContainer(corev1.ContainerState{
		Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}})
}

func (b *podBuilder) terminated(reason string, exitCode int32) *podBuilder {
	return b.rayContainer(corev1.ContainerState{
		Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: exitCode}})
}

func (b *podBuilder) initWaiting(container, reason string) *podBuilder {
	b.pod.Status.InitContainerStatuses = append(b.pod.Status.InitContainerStatuses,
		corev1.ContainerStatus{Name: container, State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: reason}}})
	return b
}

// sidecarWaiting adds a second container, not the Ray container, waiting for reason.
func (b *podBuilder) sidecarWaiting(reason string) *podBuilder {
	b.pod.Spec.Containers = append(b.pod.Spec.Containers, corev1.Container{Name: "autoscaler"})
	b.pod.Status.ContainerStatuses = append(b.pod.Status.ContainerStatuses,
		corev1.ContainerStatus{Name: "autoscaler", State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: reason}}})
	return b
}

func (b *podBuilder) phase(p corev1.PodPhase) *podBuilder {
	b.pod.Status.Phase = p
	return b
}

func (b *podBuilder) ip(ip string) *podBuilder {
	b.pod.Status.PodIP = ip
	return b
}

func (b *podBuilder) terminating() *podBuilder {
	b.pod.DeletionTimestamp = new(at(0))
	return b
}

func (b *podBuilder) createdAt(t metav1.Time) *podBuilder {
	b.pod.CreationTimestamp = t
	return b
}

func (b *podBuilder) obj() corev1.Pod { return *b.pod.DeepCopy() }

// serviceBuilder builds a head Service, ClusterIP 10.96.0.10 unless told otherwise.
type serviceBuilder struct{ svc corev1.Service }

func makeService(name string) *serviceBuilder {
	return &serviceBuilder{svc: corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "10.96.0.10"},
	}}
}

func (b *serviceBuilder) clusterIP(ip string) *serviceBuilder {
	b.svc.Spec.ClusterIP = ip
	return b
}

// port adds a port whose target port is the same number, as the operator builds them.
func (b *serviceBuilder) port(name string, port int32) *serviceBuilder {
	return b.servicePort(corev1.ServicePort{Name: name, Port: port,
		TargetPort: intstr.FromInt32(port)})
}

func (b *serviceBuilder) nodePort(name string, port, nodePort int32) *serviceBuilder {
	b.svc.Spec.Type = corev1.ServiceTypeNodePort
	return b.servicePort(corev1.ServicePort{Name: name, Port: port,
		TargetPort: intstr.FromInt32(port), NodePort: nodePort})
}

func (b *serviceBuilder) servicePort(p corev1.ServicePort) *serviceBuilder {
	b.svc.Spec.Ports = append(b.svc.Spec.Ports, p)
	return b
}

func (b *serviceBuilder) obj() *corev1.Service { return b.svc.DeepCopy() }

// cond is a condition as ComputeStatus writes it for generation 1.
func cond(t rayv1.RayClusterConditionType, s metav1.ConditionStatus, reason, message string,
	since metav1.Time) metav1.Condition {
	return metav1.Condition{Type: string(t), Status: s, Reason: reason, Message: message,
		LastTransitionTime: since, ObservedGeneration: 1}
}

// notSuspended are the two suspend conditions of a cluster not asked to suspend.
func notSuspended(since metav1.Time) []metav1.Condition {
	const msg = "spec.suspend is not true."
	return []metav1.Condition{
		cond(rayv1.RayClusterSuspending, metav1.ConditionFalse, "SuspendNotRequested", msg, since),
		cond(rayv1.RayClusterSuspended, metav1.ConditionFalse, "SuspendNotRequested", msg, since),
	}
}

func TestComputeStatusState(t *testing.T) {
	headReady := func() corev1.Pod {
		return makePod("demo-head-a").head().running().ready().ip("10.0.0.1").obj()
	}
	workerReady := func(name string) corev1.Pod {
		return makePod(name).worker("small").running().ready().obj()
	}
	provisioned := cond(rayv1.RayClusterProvisioned, metav1.ConditionTrue,
		rayv1.AllPodRunningAndReadyFirstTime, "", at(0))
	quota := errors.New(`pods "demo-small-worker-c" is forbidden: exceeded quota: compute, ` +
		`requested: pods=1, used: pods=3, limited: pods=3`)

	tests := map[string]struct {
		cluster    *rayv1.RayCluster
		pods       []corev1.Pod
		errs       ReconcileErrors
		wantState  rayv1.ClusterState
		wantReason string
	}{
		"no head pod": {
			cluster:    makeCluster().withWorkers("small", 1).obj(),
			wantReason: "Waiting for the head pod to be created.",
		},
		"head pod pending without container status": {
			cluster:    makeCluster().obj(),
			pods:       []corev1.Pod{makePod("demo-head-a").head().pending().obj()},
			wantReason: "The head pod demo-head-a is Pending.",
		},
		"head pod without phase": {
			cluster:    makeCluster().obj(),
			pods:       []corev1.Pod{makePod("demo-head-a").head().obj()},
			wantReason: "The head pod demo-head-a is Pending.",
		},
		"head pod creating its container": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().pending().
				waiting("ContainerCreating", "").obj()},
			wantReason: "The head pod demo-head-a is Pending: its Ray container ray-head is " +
				"ContainerCreating.",
		},
		"head pod unschedulable": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().
				unschedulable("0/3 nodes are available: 3 Insufficient cpu.").obj()},
			wantReason: "The head pod demo-head-a is unschedulable: 0/3 nodes are available: " +
				"3 Insufficient cpu.",
		},
		"head pod running, not ready": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				notReady("ContainersNotReady", "containers with unready status: [ray-head]").obj()},
			wantReason: "The head pod demo-head-a is running but not ready: containers with " +
				"unready status: [ray-head].",
		},
		"head pod failed": {
			cluster:    makeCluster().obj(),
			pods:       []corev1.Pod{makePod("demo-head-a").head().phase(corev1.PodFailed).obj()},
			wantReason: "The head pod demo-head-a has phase Failed and is being replaced.",
		},
		"head pod being deleted": {
			cluster: makeCluster().previous(provisioned).obj(),
			pods: []corev1.Pod{
				makePod("demo-head-a").head().running().ready().terminating().obj()},
			wantReason: "The head pod demo-head-a is being deleted.",
		},
		"head ready, workers missing": {
			cluster: makeCluster().withWorkers("small", 2).obj(),
			pods:    []corev1.Pod{headReady(), workerReady("demo-small-worker-a")},
			wantReason: "Waiting for worker pods: 1 of 2 desired worker pods are running " +
				"and ready.",
		},
		"head ready, a worker unschedulable": {
			cluster: makeCluster().withWorkers("small", 2).obj(),
			pods: []corev1.Pod{headReady(), workerReady("demo-small-worker-a"),
				makePod("demo-small-worker-b").worker("small").
					unschedulable("0/3 nodes are available: 3 Insufficient memory.").obj()},
			wantReason: "Waiting for worker pods: 1 of 2 desired worker pods are running and " +
				"ready; worker pod demo-small-worker-b of group small is unschedulable: 0/3 " +
				"nodes are available: 3 Insufficient memory.",
		},
		"every desired pod ready": {
			cluster: makeCluster().withWorkers("small", 2).obj(),
			pods: []corev1.Pod{headReady(), workerReady("demo-small-worker-a"),
				workerReady("demo-small-worker-b")},
			wantState: rayv1.Ready,
		},
		"head alone, no worker group": {
			cluster:   makeCluster().obj(),
			pods:      []corev1.Pod{headReady()},
			wantState: rayv1.Ready,
		},
		"provisioned, then a worker died": {
			cluster:   makeCluster().withWorkers("small", 2).previous(provisioned).obj(),
			pods:      []corev1.Pod{headReady(), workerReady("demo-small-worker-a")},
			wantState: rayv1.Ready,
		},
		"provisioned, then the head became not ready": {
			cluster: makeCluster().withWorkers("small", 1).previous(provisioned).obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().notReady("", "").obj(),
				workerReady("demo-small-worker-a")},
			wantReason: "The head pod demo-head-a is running but not ready.",
		},
		"invalid spec": {
			cluster: makeCluster().obj(),
			errs: ReconcileErrors{InvalidSpec: errors.New(
				"workerGroupSpecs[0] (group small): minReplicas 3 is greater than maxReplicas 1")},
			wantState: rayv1.Failed,
			wantReason: "The spec is invalid: workerGroupSpecs[0] (group small): minReplicas 3 " +
				"is greater than maxReplicas 1.",
		},
		"head pod refused": {
			cluster:   makeCluster().obj(),
			errs:      ReconcileErrors{CreateHeadPod: errors.New("admission webhook denied it")},
			wantState: rayv1.Failed,
			wantReason: "The API server refused to create the head pod: admission webhook " +
				"denied it.",
		},
		"worker pod refused while everything else is ready": {
			cluster:   makeCluster().withWorkers("small", 1).previous(provisioned).obj(),
			pods:      []corev1.Pod{headReady(), workerReady("demo-small-worker-a")},
			errs:      ReconcileErrors{CreateWorkerPod: quota},
			wantState: rayv1.Failed,
			wantReason: `The API server refused to create a worker pod: pods ` +
				`"demo-small-worker-c" is forbidden: exceeded quota: compute, requested: pods=1, ` +
				`used: pods=3, limited: pods=3.`,
		},
		"head pod deletion refused": {
			cluster:    makeCluster().obj(),
			errs:       ReconcileErrors{DeleteHeadPod: periodError("forbidden.")},
			wantState:  rayv1.Failed,
			wantReason: "The API server refused to delete a head pod: forbidden.",
		},
		"worker pod deletion refused": {
			cluster:    makeCluster().obj(),
			errs:       ReconcileErrors{DeleteWorkerPod: errors.New("forbidden")},
			wantState:  rayv1.Failed,
			wantReason: "The API server refused to delete a worker pod: forbidden.",
		},
		"suspend deletion refused": {
			cluster:   makeCluster().suspend().obj(),
			pods:      []corev1.Pod{headReady()},
			errs:      ReconcileErrors{DeleteAllPods: errors.New("forbidden")},
			wantState: rayv1.Failed,
			wantReason: "The API server refused to delete the pods of the suspended cluster: " +
				"forbidden.",
		},
		"service refused": {
			cluster:    makeCluster().obj(),
			pods:       []corev1.Pod{headReady()},
			errs:       ReconcileErrors{CreateService: errors.New("quota exceeded: services")},
			wantState:  rayv1.Failed,
			wantReason: "The API server refused to create a Service: quota exceeded: services.",
		},
		"other object refused": {
			cluster: makeCluster().obj(),
			pods:    []corev1.Pod{headReady()},
			errs: ReconcileErrors{
				CreateObject: errors.New(`ingress "demo-head-ingress": bad`)},
			wantState: rayv1.Failed,
			wantReason: `The API server refused to create an object the cluster needs: ingress ` +
				`"demo-head-ingress": bad.`,
		},
		"several failures": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				waiting("CrashLoopBackOff", "").obj()},
			errs: ReconcileErrors{InvalidSpec: periodError("numOfHosts is 0."),
				CreateService: errors.New("no")},
			wantState:  rayv1.Failed,
			wantReason: "The spec is invalid: numOfHosts is 0 (and 2 more problems).",
		},
		"a sidecar crash-looping is not a Ray container failing": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				notReady("ContainersNotReady", "").sidecarWaiting("CrashLoopBackOff").obj()},
			wantReason: "The head pod demo-head-a is running but not ready.",
		},
		"a worker being deleted does not fail the cluster": {
			cluster: makeCluster().previous(provisioned).obj(),
			pods: []corev1.Pod{headReady(), makePod("demo-small-worker-a").worker("small").
				waiting("ImagePullBackOff", "").terminating().obj()},
			wantState: rayv1.Ready,
		},
		"pods without a node type are not Ray pods": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{headReady(),
				makePod("stray").waiting("CrashLoopBackOff", "").obj()},
			wantState: rayv1.Ready,
		},
		"rayStartParams problem": {
			cluster: makeCluster().obj(),
			pods:    []corev1.Pod{headReady()},
			errs: ReconcileErrors{
				RayConfig: []string{`Head num-cpus "abc" is not a number.`}},
			wantState:  rayv1.Unhealthy,
			wantReason: `Head num-cpus "abc" is not a number.`,
		},
		"several rayStartParams problems": {
			cluster: makeCluster().obj(),
			errs: ReconcileErrors{RayConfig: []string{`Head num-cpus "abc" is not a number.`,
				"Head address is set.", "Group small block is yes."}},
			wantState:  rayv1.Unhealthy,
			wantReason: `Head num-cpus "abc" is not a number (and 2 more problems).`,
		},
		"suspended": {
			cluster:   makeCluster().withWorkers("small", 2).suspend().obj(),
			wantState: rayv1.Suspended,
			wantReason: "The cluster is suspended: spec.suspend is true and every Ray pod is " +
				"deleted.",
		},
		"suspending, pods still ready": {
			cluster:    makeCluster().withWorkers("small", 1).suspend().previous(provisioned).obj(),
			pods:       []corev1.Pod{headReady(), workerReady("demo-small-worker-a")},
			wantReason: "Suspending: waiting for 2 Ray pods to be deleted.",
		},
		"suspending, the last pod terminating": {
			cluster: makeCluster().suspend().obj(),
			pods: []corev1.Pod{
				makePod("demo-head-a").head().running().ready().terminating().obj()},
			wantReason: "Suspending: waiting for 1 Ray pod to be deleted.",
		},
		"suspended beats failed": {
			cluster: makeCluster().suspend().obj(),
			errs: ReconcileErrors{InvalidSpec: errors.New("x"),
				CreateService: errors.New("y")},
			wantState: rayv1.Suspended,
			wantReason: "The cluster is suspended: spec.suspend is true and every Ray pod is " +
				"deleted.",
		},
		"failed beats unhealthy": {
			cluster: makeCluster().obj(),
			pods:    []corev1.Pod{headReady()},
			errs: ReconcileErrors{CreateService: errors.New("no"),
				RayConfig: []string{"Head port is 0."}},
			wantState:  rayv1.Failed,
			wantReason: "The API server refused to create a Service: no.",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ComputeStatus(StatusInput{Cluster: tc.cluster, Pods: tc.pods,
				Errors: tc.errs, Now: at(1)})
			want := struct{ State, Reason string }{string(tc.wantState), tc.wantReason}
			if diff := cmp.Diff(want, struct{ State, Reason string }{
				string(got.State), got.Reason}); diff != "" {
				t.Errorf("state and reason (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeStatusRayContainerCannotStart(t *testing.T) {
	tests := map[string]struct {
		pod        corev1.Pod
		wantReason string
	}{
		"head ErrImagePull": {
			pod: makePod("demo-head-a").head().pending().
				waiting("ErrImagePull", "rpc error: not found").obj(),
			wantReason: "The Ray container ray-head of head pod demo-head-a cannot start: " +
				"ErrImagePull: rpc error: not found.",
		},
		"head ImagePullBackOff": {
			pod: makePod("demo-head-a").head().pending().waiting("ImagePullBackOff", "").obj(),
			wantReason: "The Ray container ray-head of head pod demo-head-a cannot start: " +
				"ImagePullBackOff.",
		},
		"head InvalidImageName": {
			pod: makePod("demo-head-a").head().pending().waiting("InvalidImageName", "").obj(),
			wantReason: "The Ray container ray-head of head pod demo-head-a cannot start: " +
				"InvalidImageName.",
		},
		"worker CreateContainerConfigError": {
			pod: makePod("demo-small-worker-a").worker("small").pending().
				waiting("CreateContainerConfigError", `secret "s3" not found`).obj(),
			wantReason: "The Ray container ray-worker of worker pod demo-small-worker-a of " +
				`group small cannot start: CreateContainerConfigError: secret "s3" not found.`,
		},
		"worker CreateContainerError": {
			pod: makePod("demo-small-worker-a").worker("small").pending().
				waiting("CreateContainerError", "").obj(),
			wantReason: "The Ray container ray-worker of worker pod demo-small-worker-a of " +
				"group small cannot start: CreateContainerError.",
		},
		"worker CrashLoopBackOff": {
			pod: makePod("demo-small-worker-a").worker("small").running().
				waiting("CrashLoopBackOff", "back-off 5m0s").obj(),
			wantReason: "The Ray container ray-worker of worker pod demo-small-worker-a of " +
				"group small cannot start: CrashLoopBackOff: back-off 5m0s.",
		},
		"worker init container cannot pull the Ray image": {
			pod: makePod("demo-small-worker-a").worker("small").pending().
				waiting("PodInitializing", "").initWaiting("wait-gcs-ready", "ErrImagePull").obj(),
			wantReason: "The init container wait-gcs-ready of worker pod demo-small-worker-a of " +
				"group small cannot start: ErrImagePull.",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ComputeStatus(StatusInput{
				Cluster: makeCluster().withWorkers("small", 1).obj(),
				Pods:    []corev1.Pod{tc.pod}, Now: at(1)})
			want := struct{ State, Reason string }{string(rayv1.Failed), tc.wantReason}
			if diff := cmp.Diff(want, struct{ State, Reason string }{
				string(got.State), got.Reason}); diff != "" {
				t.Errorf("state and reason (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeStatusConditions(t *testing.T) {
	now, before := at(1), at(0)
	headReady := makePod("demo-head-a").head().running().ready().obj()
	workerReady := func(group, name string) corev1.Pod {
		return makePod(name).worker(group).running().ready().obj()
	}
	provisioned := cond(rayv1.RayClusterProvisioned, metav1.ConditionTrue,
		rayv1.AllPodRunningAndReadyFirstTime, "Every desired pod has been running and ready.",
		before)
	failure := cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
		rayv1.FailedCreateWorkerPod, "quota", before)

	tests := map[string]struct {
		cluster  *rayv1.RayCluster
		pods     []corev1.Pod
		errs     ReconcileErrors
		condType rayv1.RayClusterConditionType
		want     *metav1.Condition
	}{
		"HeadPodReady: no head pod": {
			cluster:  makeCluster().obj(),
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, rayv1.HeadPodNotFound,
				"The cluster has no head pod.", now)),
		},
		"HeadPodReady: running and ready": {
			cluster:  makeCluster().obj(),
			pods:     []corev1.Pod{headReady},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionTrue, rayv1.HeadPodRunningAndReady,
				"The head pod demo-head-a is running and ready.", now)),
		},
		"HeadPodReady: Ray container crash-looping": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				notReady("ContainersNotReady", "containers with unready status: [ray-head]").
				waiting("CrashLoopBackOff", "back-off 40s restarting failed container").obj()},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, "CrashLoopBackOff",
				"The Ray container ray-head of pod demo-head-a is waiting: CrashLoopBackOff: "+
					"back-off 40s restarting failed container.", now)),
		},
		"HeadPodReady: Ray container terminated": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				notReady("ContainersNotReady", "").terminated("OOMKilled", 137).obj()},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, "OOMKilled",
				"The Ray container ray-head of pod demo-head-a terminated with exit code 137: "+
					"OOMKilled.", now)),
		},
		"HeadPodReady: Ray container running, readiness probe failing": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				notReady("ContainersNotReady", "containers with unready status: [ray-head]").obj()},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, "ContainersNotReady",
				"The head pod demo-head-a is not ready: containers with unready status: "+
					"[ray-head].", now)),
		},
		"HeadPodReady: unschedulable": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().
				unschedulable("0/1 nodes are available: 1 Insufficient cpu.").obj()},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, "Unschedulable",
				"The head pod demo-head-a is unschedulable: 0/1 nodes are available: "+
					"1 Insufficient cpu.", now)),
		},
		"HeadPodReady: nothing reported yet": {
			cluster:  makeCluster().obj(),
			pods:     []corev1.Pod{makePod("demo-head-a").head().obj()},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, rayv1.UnknownReason,
				"The head pod demo-head-a is Pending and reports no readiness yet.", now)),
		},
		"HeadPodReady: a reason the schema would refuse": {
			cluster: makeCluster().obj(),
			pods: []corev1.Pod{makePod("demo-head-a").head().running().
				notReady("not ready!", "").obj()},
			condType: rayv1.HeadPodReady,
			want: new(cond(rayv1.HeadPodReady, metav1.ConditionFalse, rayv1.UnknownReason,
				"The head pod demo-head-a is not ready.", now)),
		},
		"RayClusterProvisioned: waiting for workers": {
			cluster:  makeCluster().withWorkers("small", 2).obj(),
			pods:     []corev1.Pod{headReady, workerReady("small", "demo-small-worker-a")},
			condType: rayv1.RayClusterProvisioned,
			want: new(cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
				rayv1.RayClusterPodsProvisioning, "2 of 3 desired pods are running and ready.",
				now)),
		},
		"RayClusterProvisioned: extra pods of one group do not hide another's": {
			cluster: makeCluster().withWorkers("a", 1).withWorkers("b", 1).obj(),
			pods: []corev1.Pod{headReady, workerReady("a", "demo-a-worker-1"),
				workerReady("a", "demo-a-worker-2")},
			condType: rayv1.RayClusterProvisioned,
			want: new(cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
				rayv1.RayClusterPodsProvisioning, "2 of 3 desired pods are running and ready.",
				now)),
		},
		"RayClusterProvisioned: every desired pod ready for the first time": {
			cluster: makeCluster().withWorkers("small", 1).withWorkers("off", 3).suspendGroup().
				obj(),
			pods:     []corev1.Pod{headReady, workerReady("small", "demo-small-worker-a")},
			condType: rayv1.RayClusterProvisioned,
			want: new(cond(rayv1.RayClusterProvisioned, metav1.ConditionTrue,
				rayv1.AllPodRunningAndReadyFirstTime,
				"Every desired pod has been running and ready.", now)),
		},
		"RayClusterProvisioned: stays true when the workers are gone": {
			cluster:  makeCluster().withWorkers("small", 2).previous(provisioned).obj(),
			pods:     []corev1.Pod{headReady},
			condType: rayv1.RayClusterProvisioned,
			want:     new(provisioned),
		},
		"RayClusterProvisioned: stays true while suspending": {
			cluster:  makeCluster().suspend().previous(provisioned).obj(),
			pods:     []corev1.Pod{headReady},
			condType: rayv1.RayClusterProvisioned,
			want:     new(provisioned),
		},
		"RayClusterProvisioned: false once suspended": {
			cluster:  makeCluster().suspend().previous(provisioned).obj(),
			condType: rayv1.RayClusterProvisioned,
			want: new(cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
				rayv1.RayClusterPodsProvisioning,
				"The cluster is suspended; its pods are provisioned again when it resumes.", now)),
		},
		"RayClusterProvisioned: not for the first time while asked to suspend": {
			cluster:  makeCluster().suspend().obj(),
			pods:     []corev1.Pod{headReady},
			condType: rayv1.RayClusterProvisioned,
			want: new(cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
				rayv1.RayClusterPodsProvisioning, "1 of 1 desired pods are running and ready.",
				now)),
		},
		"ReplicaFailure: head pod refused": {
			cluster:  makeCluster().obj(),
			errs:     ReconcileErrors{CreateHeadPod: errors.New("exceeded quota: cpu")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedCreateHeadPod, "exceeded quota: cpu", now)),
		},
		"ReplicaFailure: worker pod refused": {
			cluster:  makeCluster().obj(),
			errs:     ReconcileErrors{CreateWorkerPod: errors.New("exceeded quota: pods")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedCreateWorkerPod, "exceeded quota: pods", now)),
		},
		"ReplicaFailure: head pod deletion refused": {
			cluster:  makeCluster().obj(),
			errs:     ReconcileErrors{DeleteHeadPod: errors.New("forbidden")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedDeleteHeadPod, "forbidden", now)),
		},
		"ReplicaFailure: worker pod deletion refused": {
			cluster:  makeCluster().obj(),
			errs:     ReconcileErrors{DeleteWorkerPod: errors.New("forbidden")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedDeleteWorkerPod, "forbidden", now)),
		},
		"ReplicaFailure: suspend deletion refused": {
			cluster:  makeCluster().obj(),
			errs:     ReconcileErrors{DeleteAllPods: errors.New("forbidden")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedDeleteAllPods, "forbidden", now)),
		},
		"ReplicaFailure: the first failure in order wins": {
			cluster: makeCluster().obj(),
			errs: ReconcileErrors{DeleteWorkerPod: errors.New("delete"),
				CreateWorkerPod: errors.New("create")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedCreateWorkerPod, "create", now)),
		},
		"ReplicaFailure: still failing keeps the transition time": {
			cluster:  makeCluster().previous(failure).obj(),
			errs:     ReconcileErrors{CreateWorkerPod: errors.New("quota, again")},
			condType: rayv1.RayClusterReplicaFailure,
			want: new(cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedCreateWorkerPod, "quota, again", before)),
		},
		"ReplicaFailure: removed after a clean reconcile": {
			cluster:  makeCluster().previous(failure).obj(),
			condType: rayv1.RayClusterReplicaFailure,
		},
		"ReplicaFailure: not for a Service": {
			cluster:  makeCluster().obj(),
			errs:     ReconcileErrors{CreateService: errors.New("no")},
			condType: rayv1.RayClusterReplicaFailure,
		},
		"RayClusterSuspending: not requested": {
			cluster:  makeCluster().obj(),
			condType: rayv1.RayClusterSuspending,
			want:     new(notSuspended(now)[0]),
		},
		"RayClusterSuspended: not requested": {
			cluster:  makeCluster().obj(),
			condType: rayv1.RayClusterSuspended,
			want:     new(notSuspended(now)[1]),
		},
		"RayClusterSuspending: pods left": {
			cluster:  makeCluster().suspend().obj(),
			pods:     []corev1.Pod{headReady, workerReady("small", "demo-small-worker-a")},
			condType: rayv1.RayClusterSuspending,
			want: new(cond(rayv1.RayClusterSuspending, metav1.ConditionTrue,
				"RayClusterSuspending", "Deleting the cluster's Ray pods: 2 pods left.", now)),
		},
		"RayClusterSuspended: pods left": {
			cluster:  makeCluster().suspend().obj(),
			pods:     []corev1.Pod{headReady},
			condType: rayv1.RayClusterSuspended,
			want: new(cond(rayv1.RayClusterSuspended, metav1.ConditionFalse,
				"RayClusterSuspending", "Deleting the cluster's Ray pods: 1 pod left.", now)),
		},
		"RayClusterSuspending: every pod gone": {
			cluster:  makeCluster().suspend().obj(),
			condType: rayv1.RayClusterSuspending,
			want: new(cond(rayv1.RayClusterSuspending, metav1.ConditionFalse,
				"RayClusterSuspended", "spec.suspend is true and every Ray pod is deleted.", now)),
		},
		"RayClusterSuspended: every pod gone": {
			cluster:  makeCluster().suspend().obj(),
			condType: rayv1.RayClusterSuspended,
			want: new(cond(rayv1.RayClusterSuspended, metav1.ConditionTrue,
				"RayClusterSuspended", "spec.suspend is true and every Ray pod is deleted.", now)),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ComputeStatus(StatusInput{Cluster: tc.cluster, Pods: tc.pods,
				Errors: tc.errs, Now: now})
			if diff := cmp.Diff(tc.want,
				meta.FindStatusCondition(got.Conditions, string(tc.condType))); diff != "" {
				t.Errorf("condition %s (-want +got):\n%s", tc.condType, diff)
			}
		})
	}
}

func TestComputeStatusConditionMessageFitsSchema(t *testing.T) {
	long := strings.Repeat("é", 20000)
	got := ComputeStatus(StatusInput{
		Cluster: makeCluster().obj(),
		Errors:  ReconcileErrors{CreateHeadPod: errors.New(long)},
		Now:     at(1),
	})
	c := meta.FindStatusCondition(got.Conditions, string(rayv1.RayClusterReplicaFailure))
	// Each é takes two bytes: the cut falls on a character boundary.
	if want := strings.Repeat("é", 16384); c == nil || c.Message != want {
		t.Errorf("ReplicaFailure message: want %d bytes of é, got %+v", len(want), c)
	}
}

func TestComputeStatusTransitions(t *testing.T) {
	cluster := makeCluster().generation(2).previous(metav1.Condition{
		Type: string(rayv1.HeadPodReady), Status: metav1.ConditionFalse, Reason: "Old",
		Message: "old", LastTransitionTime: at(0), ObservedGeneration: 1,
	}).previous(metav1.Condition{
		Type: "Custom", Status: metav1.ConditionTrue, Reason: "SomeoneElse",
		LastTransitionTime: at(0), ObservedGeneration: 1,
	}).previous(cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
		rayv1.RayClusterPodsProvisioning, "0 of 1 desired pods are running and ready.", at(0)),
	).obj()
	got := ComputeStatus(StatusInput{Cluster: cluster, Now: at(1)})

	gen2 := func(c metav1.Condition) metav1.Condition {
		c.ObservedGeneration = 2
		return c
	}
	want := []metav1.Condition{
		// Same status: only reason, message and generation move.
		gen2(cond(rayv1.HeadPodReady, metav1.ConditionFalse, rayv1.HeadPodNotFound,
			"The cluster has no head pod.", at(0))),
		// Written by someone else: left alone.
		{Type: "Custom", Status: metav1.ConditionTrue, Reason: "SomeoneElse",
			LastTransitionTime: at(0), ObservedGeneration: 1},
		gen2(cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
			rayv1.RayClusterPodsProvisioning, "0 of 1 desired pods are running and ready.",
			at(0))),
		gen2(notSuspended(at(1))[0]),
		gen2(notSuspended(at(1))[1]),
	}
	if diff := cmp.Diff(want, got.Conditions); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
}

func TestComputeStatusTimestamps(t *testing.T) {
	headReady := makePod("demo-head-a").head().running().ready().ip("10.0.0.1").obj()
	first := ComputeStatus(StatusInput{Cluster: makeCluster().obj(),
		Pods: []corev1.Pod{headReady},
		// Sub-second parts are dropped, as the API server would.
		Now: metav1.NewTime(at(1).Add(300 * time.Millisecond))})
	check := func(step string, got rayv1.RayClusterStatus, wantUpdate metav1.Time,
		wantTransitions map[rayv1.ClusterState]*metav1.Time) {
		t.Helper()
		if diff := cmp.Diff(&wantUpdate, got.LastUpdateTime); diff != "" {
			t.Errorf("%s: lastUpdateTime (-want +got):\n%s", step, diff)
		}
		if diff := cmp.Diff(wantTransitions, got.StateTransitionTimes); diff != "" {
			t.Errorf("%s: stateTransitionTimes (-want +got):\n%s", step, diff)
		}
	}
	check("first", first, at(1), map[rayv1.ClusterState]*metav1.Time{rayv1.Ready: new(at(1))})

	withStatus := func(st rayv1.RayClusterStatus) *rayv1.RayCluster {
		c := makeCluster().obj()
		c.Status = st
		return c
	}
	same := ComputeStatus(StatusInput{Cluster: withStatus(first),
		Pods: []corev1.Pod{headReady}, Now: at(2)})
	if diff := cmp.Diff(first, same); diff != "" {
		t.Errorf("nothing changed, yet the status did (-want +got):\n%s", diff)
	}

	moved := makePod("demo-head-a").head().running().ready().ip("10.0.0.2").obj()
	ipChanged := ComputeStatus(StatusInput{Cluster: withStatus(first),
		Pods: []corev1.Pod{moved}, Now: at(3)})
	check("pod IP changed", ipChanged, at(3),
		map[rayv1.ClusterState]*metav1.Time{rayv1.Ready: new(at(1))})

	failed := ComputeStatus(StatusInput{Cluster: withStatus(ipChanged),
		Pods: []corev1.Pod{moved}, Errors: ReconcileErrors{CreateService: errors.New("no")},
		Now: at(4)})
	check("failed", failed, at(4), map[rayv1.ClusterState]*metav1.Time{
		rayv1.Ready: new(at(1)), rayv1.Failed: new(at(4))})

	provisioning := ComputeStatus(StatusInput{Cluster: withStatus(failed), Now: at(5)})
	check("head gone", provisioning, at(5), map[rayv1.ClusterState]*metav1.Time{
		rayv1.Ready: new(at(1)), rayv1.Failed: new(at(4))})

	again := ComputeStatus(StatusInput{Cluster: withStatus(provisioning),
		Pods: []corev1.Pod{moved}, Now: at(6)})
	check("ready again", again, at(6), map[rayv1.ClusterState]*metav1.Time{
		rayv1.Ready: new(at(6)), rayv1.Failed: new(at(4))})
}

func TestComputeStatusReplicaCounts(t *testing.T) {
	type counts struct{ Desired, Min, Max, Ready, Available int32 }
	tests := map[string]struct {
		cluster *rayv1.RayCluster
		pods    []corev1.Pod
		want    counts
	}{
		"known case 3: replicas 2, min 1, max 3, numOfHosts 2": {
			cluster: makeCluster().withWorkers("tpu", 2).minReplicas(1).maxReplicas(3).
				numOfHosts(2).obj(),
			want: counts{Desired: 4, Min: 2, Max: 6},
		},
		"known case 4: replicas 1, min 3, numOfHosts 4, no max": {
			cluster: makeCluster().withWorkers("tpu", 1).minReplicas(3).numOfHosts(4).obj(),
			want:    counts{Desired: 12, Min: 12, Max: math.MaxInt32},
		},
		"replicas unset counts as minReplicas": {
			cluster: makeCluster().withWorkers("small", 0).unsetReplicas().minReplicas(2).obj(),
			want:    counts{Desired: 2, Min: 2, Max: math.MaxInt32},
		},
		"replicas above maxReplicas": {
			cluster: makeCluster().withWorkers("small", 9).maxReplicas(4).obj(),
			want:    counts{Desired: 4, Max: 4},
		},
		"numOfHosts 0 reads as 1": {
			cluster: makeCluster().withWorkers("small", 3).maxReplicas(5).numOfHosts(0).obj(),
			want:    counts{Desired: 3, Max: 5},
		},
		"suspended group wants no pod but keeps its bounds": {
			cluster: makeCluster().withWorkers("small", 3).minReplicas(1).maxReplicas(5).
				suspendGroup().obj(),
			want: counts{Desired: 0, Min: 1, Max: 5},
		},
		"suspended cluster keeps what its spec desires": {
			cluster: makeCluster().withWorkers("small", 3).maxReplicas(5).suspend().obj(),
			want:    counts{Desired: 3, Max: 5},
		},
		"groups add up": {
			cluster: makeCluster().withWorkers("a", 2).maxReplicas(2).
				withWorkers("b", 3).minReplicas(1).maxReplicas(4).numOfHosts(2).obj(),
			want: counts{Desired: 8, Min: 2, Max: 10},
		},
		"64-bit sums are capped": {
			cluster: makeCluster().withWorkers("a", math.MaxInt32).numOfHosts(4).
				withWorkers("b", 0).minReplicas(math.MaxInt32).numOfHosts(4).obj(),
			want: counts{Desired: math.MaxInt32, Min: math.MaxInt32, Max: math.MaxInt32},
		},
		"known case 5: head, 2 running workers (1 ready), 1 pending": {
			cluster: makeCluster().withWorkers("small", 3).maxReplicas(3).obj(),
			pods: []corev1.Pod{
				makePod("demo-head-a").head().running().ready().obj(),
				makePod("demo-small-worker-a").worker("small").running().ready().obj(),
				makePod("demo-small-worker-b").worker("small").running().
					notReady("ContainersNotReady", "").obj(),
				makePod("demo-small-worker-c").worker("small").pending().obj(),
			},
			want: counts{Desired: 3, Max: 3, Ready: 1, Available: 2},
		},
		"pods being deleted and finished pods do not count": {
			cluster: makeCluster().withWorkers("small", 1).maxReplicas(3).obj(),
			pods: []corev1.Pod{
				makePod("demo-small-worker-a").worker("small").running().ready().
					terminating().obj(),
				makePod("demo-small-worker-b").worker("small").phase(corev1.PodFailed).obj(),
				makePod("demo-small-worker-c").worker("small").phase(corev1.PodSucceeded).obj(),
				makePod("demo-small-worker-d").worker("small").running().ready().obj(),
			},
			want: counts{Desired: 1, Max: 3, Ready: 1, Available: 1},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ComputeStatus(StatusInput{Cluster: tc.cluster, Pods: tc.pods, Now: at(1)})
			if diff := cmp.Diff(tc.want, counts{got.DesiredWorkerReplicas,
				got.MinWorkerReplicas, got.MaxWorkerReplicas, got.ReadyWorkerReplicas,
				got.AvailableWorkerReplicas}); diff != "" {
				t.Errorf("replica counts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroupDesiredPods(t *testing.T) {
	type want struct{ Replicas, Pods int64 }
	tests := map[string]struct {
		group rayv1.WorkerGroupSpec
		want  want
	}{
		"defaults": {
			group: rayv1.WorkerGroupSpec{},
			want:  want{0, 0},
		},
		"replicas within bounds": {
			group: rayv1.WorkerGroupSpec{Replicas: new(int32(2)), MinReplicas: new(int32(1)),
				MaxReplicas: new(int32(3)), NumOfHosts: 2},
			want: want{2, 4},
		},
		"below minReplicas": {
			group: rayv1.WorkerGroupSpec{Replicas: new(int32(1)), MinReplicas: new(int32(3)),
				NumOfHosts: 4},
			want: want{3, 12},
		},
		"unset replicas": {
			group: rayv1.WorkerGroupSpec{MinReplicas: new(int32(2))},
			want:  want{2, 2},
		},
		"minReplicas above maxReplicas: maxReplicas wins": {
			group: rayv1.WorkerGroupSpec{Replicas: new(int32(2)), MinReplicas: new(int32(3)),
				MaxReplicas: new(int32(1))},
			want: want{1, 1},
		},
		"negative counts read as 0": {
			group: rayv1.WorkerGroupSpec{Replicas: new(int32(-2)), MinReplicas: new(int32(-1)),
				NumOfHosts: -3},
			want: want{0, 0},
		},
		"largest group does not overflow": {
			group: rayv1.WorkerGroupSpec{Replicas: new(int32(math.MaxInt32)),
				NumOfHosts: math.MaxInt32},
			want: want{math.MaxInt32, math.MaxInt32 * math.MaxInt32},
		},
		"suspended": {
			group: rayv1.WorkerGroupSpec{Replicas: new(int32(2)), MinReplicas: new(int32(1)),
				Suspend: new(true)},
			want: want{0, 0},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := want{GroupDesiredReplicas(&tc.group), GroupDesiredPods(&tc.group)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// resourceList is a ResourceList from name/quantity pairs.
func resourceList(pairs ...string) corev1.ResourceList {
	list := corev1.ResourceList{}
	for i := 0; i+1 < len(pairs); i += 2 {
		list[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return list
}

func TestComputeStatusDesiredResources(t *testing.T) {
	type quantities struct{ CPU, Memory, GPU, TPU string }
	tests := map[string]struct {
		cluster *rayv1.RayCluster
		want    quantities
	}{
		"known case 8: limits only on workers": {
			cluster: makeCluster().headResources(resourceList("cpu", "500m", "memory", "1Gi"), nil).
				withWorkers("small", 3).workerResources(nil, resourceList("cpu", "2",
				"memory", "4Gi")).obj(),
			want: quantities{CPU: "6500m", Memory: "13Gi", GPU: "0", TPU: "0"},
		},
		"nothing requested": {
			cluster: makeCluster().withWorkers("small", 3).obj(),
			want:    quantities{CPU: "0", Memory: "0", GPU: "0", TPU: "0"},
		},
		"requests win over limits, limits fill missing keys": {
			cluster: makeCluster().headResources(resourceList("cpu", "1"),
				resourceList("cpu", "4", "memory", "2Gi")).obj(),
			want: quantities{CPU: "1", Memory: "2Gi", GPU: "0", TPU: "0"},
		},
		"every container of the template counts": {
			cluster: makeCluster().withWorkers("small", 2).
				workerResources(resourceList("cpu", "1", "memory", "1Gi"), nil).
				workerSidecar(resourceList("cpu", "250m"), resourceList("memory", "512Mi")).obj(),
			want: quantities{CPU: "2500m", Memory: "3Gi", GPU: "0", TPU: "0"},
		},
		"every resource ending in gpu": {
			cluster: makeCluster().withWorkers("nvidia", 2).
				workerResources(nil, resourceList("nvidia.com/gpu", "1")).
				withWorkers("amd", 1).workerResources(resourceList("amd.com/gpu", "2"), nil).
				withWorkers("intel", 1).workerResources(resourceList("gpu.intel.com/i915", "1"),
				nil).obj(),
			want: quantities{CPU: "0", Memory: "0", GPU: "4", TPU: "0"},
		},
		"TPUs times replicas times hosts": {
			cluster: makeCluster().withWorkers("tpu", 2).numOfHosts(4).
				workerResources(resourceList("google.com/tpu", "4"), nil).obj(),
			want: quantities{CPU: "0", Memory: "0", GPU: "0", TPU: "32"},
		},
		"clamped replicas, as desiredWorkerReplicas; suspended groups count nothing": {
			cluster: makeCluster().withWorkers("small", 5).maxReplicas(2).
				workerResources(resourceList("cpu", "1"), nil).
				withWorkers("off", 5).suspendGroup().
				workerResources(resourceList("cpu", "100"), nil).obj(),
			want: quantities{CPU: "2", Memory: "0", GPU: "0", TPU: "0"},
		},
		"beyond 64 bits": {
			cluster: makeCluster().withWorkers("huge", math.MaxInt32).numOfHosts(math.MaxInt32).
				workerResources(resourceList("cpu", "1", "memory", "4Ei"), nil).obj(),
			// Decimal, not Ei: Kubernetes caps binary-suffixed quantities at 2^63-1 when it
			// reads them back.
			want: quantities{CPU: "4611686014132420609",
				Memory: "21267647912751613342506514584526913536", GPU: "0", TPU: "0"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			spec := tc.cluster.Spec.DeepCopy()
			got := ComputeStatus(StatusInput{Cluster: tc.cluster, Now: at(1)})
			if diff := cmp.Diff(tc.want, quantities{got.DesiredCPU.String(),
				got.DesiredMemory.String(), got.DesiredGPU.String(),
				got.DesiredTPU.String()}); diff != "" {
				t.Errorf("desired resources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(spec, &tc.cluster.Spec); diff != "" {
				t.Errorf("spec modified (-before +after):\n%s", diff)
			}
			for _, q := range []resource.Quantity{got.DesiredCPU, got.DesiredMemory,
				got.DesiredGPU, got.DesiredTPU} {
				if back := resource.MustParse(q.String()); back.Cmp(q) != 0 {
					t.Errorf("%s reads back as %s", q.String(), back.String())
				}
			}
		})
	}
}

func TestComputeStatusEndpointsAndHead(t *testing.T) {
	headPod := makePod("demo-head-a").head().running().ready().ip("10.0.0.7")
	tests := map[string]struct {
		service       *corev1.Service
		pods          []corev1.Pod
		wantEndpoints map[string]string
		wantHead      rayv1.HeadInfo
	}{
		"ClusterIP: target port numbers": {
			service: makeService("demo-head-svc").port("client", 10001).
				port("gcs-server", 6379).port("dashboard", 8265).obj(),
			pods: []corev1.Pod{headPod.obj()},
			wantEndpoints: map[string]string{"client": "10001", "gcs-server": "6379",
				"dashboard": "8265"},
			wantHead: rayv1.HeadInfo{PodIP: "10.0.0.7", ServiceIP: "10.96.0.10",
				PodName: "demo-head-a", ServiceName: "demo-head-svc"},
		},
		"NodePort: node ports": {
			service: makeService("demo-head-svc").nodePort("client", 10001, 30001).
				nodePort("dashboard", 8265, 30265).obj(),
			wantEndpoints: map[string]string{"client": "30001", "dashboard": "30265"},
			wantHead:      rayv1.HeadInfo{ServiceIP: "10.96.0.10", ServiceName: "demo-head-svc"},
		},
		"unnamed ports are skipped, named target ports kept, unset targets give the port": {
			service: makeService("svc").
				servicePort(corev1.ServicePort{Port: 9000, TargetPort: intstr.FromInt32(9000)}).
				servicePort(corev1.ServicePort{Name: "dashboard", Port: 80,
					TargetPort: intstr.FromString("dashboard")}).
				servicePort(corev1.ServicePort{Name: "metrics", Port: 8080}).obj(),
			wantEndpoints: map[string]string{"dashboard": "dashboard", "metrics": "8080"},
			wantHead:      rayv1.HeadInfo{ServiceIP: "10.96.0.10", ServiceName: "svc"},
		},
		"no named port": {
			service:  makeService("svc").servicePort(corev1.ServicePort{Port: 9000}).obj(),
			wantHead: rayv1.HeadInfo{ServiceIP: "10.96.0.10", ServiceName: "svc"},
		},
		"headless: the head pod's IP": {
			service: makeService("svc").clusterIP(corev1.ClusterIPNone).
				port("gcs", 6379).obj(),
			pods:          []corev1.Pod{headPod.obj()},
			wantEndpoints: map[string]string{"gcs": "6379"},
			wantHead: rayv1.HeadInfo{PodIP: "10.0.0.7", ServiceIP: "10.0.0.7",
				PodName: "demo-head-a", ServiceName: "svc"},
		},
		"headless, head pod without an IP yet": {
			service:  makeService("svc").clusterIP(corev1.ClusterIPNone).obj(),
			pods:     []corev1.Pod{makePod("demo-head-a").head().pending().obj()},
			wantHead: rayv1.HeadInfo{PodName: "demo-head-a", ServiceName: "svc"},
		},
		"no Service, no head pod": {},
		"the head pod that stays is reported": {
			pods: []corev1.Pod{
				makePod("demo-head-old").head().phase(corev1.PodFailed).ip("10.0.0.1").obj(),
				makePod("demo-head-gone").head().running().ready().terminating().obj(),
				makePod("demo-head-new").head().running().ip("10.0.0.3").createdAt(at(1)).obj(),
				makePod("demo-head-newer").head().running().ip("10.0.0.4").createdAt(at(2)).obj(),
			},
			wantHead: rayv1.HeadInfo{PodName: "demo-head-new", PodIP: "10.0.0.3"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ComputeStatus(StatusInput{Cluster: makeCluster().obj(), Pods: tc.pods,
				HeadService: tc.service, Now: at(1)})
			if diff := cmp.Diff(tc.wantEndpoints, got.Endpoints); diff != "" {
				t.Errorf("endpoints (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantHead, got.Head); diff != "" {
				t.Errorf("head (-want +got):\n%s", diff)
			}
		})
	}
}

// TestComputeStatusKnownCases checks whole statuses for the known cases of the contract.
func TestComputeStatusKnownCases(t *testing.T) {
	now := at(1)
	service := makeService("demo-head-svc").port("client", 10001).port("dashboard", 8265)
	endpoints := map[string]string{"client": "10001", "dashboard": "8265"}
	headReady := makePod("demo-head-a").head().running().ready().ip("10.0.0.1")
	workerReady := func(name string) corev1.Pod {
		return makePod(name).worker("small").running().ready().obj()
	}
	headReadyCond := cond(rayv1.HeadPodReady, metav1.ConditionTrue, rayv1.HeadPodRunningAndReady,
		"The head pod demo-head-a is running and ready.", now)
	provisioned := cond(rayv1.RayClusterProvisioned, metav1.ConditionTrue,
		rayv1.AllPodRunningAndReadyFirstTime, "Every desired pod has been running and ready.", now)
	readyHead := rayv1.HeadInfo{PodIP: "10.0.0.1", ServiceIP: "10.96.0.10",
		PodName: "demo-head-a", ServiceName: "demo-head-svc"}
	readySince := map[rayv1.ClusterState]*metav1.Time{rayv1.Ready: new(now)}
	readyConds := append([]metav1.Condition{headReadyCond, provisioned}, notSuspended(now)...)
	q := resource.MustParse

	tests := map[string]struct {
		in   StatusInput
		want rayv1.RayClusterStatus
	}{
		"2: head pod unschedulable": {
			in: StatusInput{
				Cluster: makeCluster().headResources(resourceList("cpu", "64"), nil).
					withWorkers("small", 1).obj(),
				Pods: []corev1.Pod{makePod("demo-head-a").head().
					unschedulable("0/1 nodes are available: 1 Insufficient cpu.").obj()},
				HeadService: service.obj(),
			},
			want: rayv1.RayClusterStatus{
				Reason: "The head pod demo-head-a is unschedulable: 0/1 nodes are available: " +
					"1 Insufficient cpu.",
				DesiredCPU:     q("64"),
				LastUpdateTime: new(now),
				Endpoints:      endpoints,
				Head: rayv1.HeadInfo{ServiceIP: "10.96.0.10", PodName: "demo-head-a",
					ServiceName: "demo-head-svc"},
				Conditions: append([]metav1.Condition{
					cond(rayv1.HeadPodReady, metav1.ConditionFalse, "Unschedulable",
						"The head pod demo-head-a is unschedulable: 0/1 nodes are available: "+
							"1 Insufficient cpu.", now),
					cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
						rayv1.RayClusterPodsProvisioning,
						"0 of 2 desired pods are running and ready.", now),
				}, notSuspended(now)...),
				DesiredWorkerReplicas: 1,
				MaxWorkerReplicas:     math.MaxInt32,
				ObservedGeneration:    1,
			},
		},
		"3: replicas 2, min 1, max 3, numOfHosts 2, five pods ready": {
			in: StatusInput{
				Cluster: makeCluster().withWorkers("small", 2).minReplicas(1).maxReplicas(3).
					numOfHosts(2).obj(),
				Pods: []corev1.Pod{headReady.obj(), workerReady("w1"), workerReady("w2"),
					workerReady("w3"), workerReady("w4")},
				HeadService: service.obj(),
			},
			want: rayv1.RayClusterStatus{
				State:                   rayv1.Ready,
				LastUpdateTime:          new(now),
				StateTransitionTimes:    readySince,
				Endpoints:               endpoints,
				Head:                    readyHead,
				Conditions:              readyConds,
				ReadyWorkerReplicas:     4,
				AvailableWorkerReplicas: 4,
				DesiredWorkerReplicas:   4,
				MinWorkerReplicas:       2,
				MaxWorkerReplicas:       6,
				ObservedGeneration:      1,
			},
		},
		"4: replicas 1, min 3, numOfHosts 4, no max, nothing created yet": {
			in: StatusInput{
				Cluster: makeCluster().withWorkers("small", 1).minReplicas(3).numOfHosts(4).obj(),
			},
			want: rayv1.RayClusterStatus{
				Reason:         "Waiting for the head pod to be created.",
				LastUpdateTime: new(now),
				Conditions: append([]metav1.Condition{
					cond(rayv1.HeadPodReady, metav1.ConditionFalse, rayv1.HeadPodNotFound,
						"The cluster has no head pod.", now),
					cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
						rayv1.RayClusterPodsProvisioning,
						"0 of 13 desired pods are running and ready.", now),
				}, notSuspended(now)...),
				DesiredWorkerReplicas: 12,
				MinWorkerReplicas:     12,
				MaxWorkerReplicas:     math.MaxInt32,
				ObservedGeneration:    1,
			},
		},
		"5: head, 2 running workers of which 1 ready, 1 pending": {
			in: StatusInput{
				Cluster: makeCluster().withWorkers("small", 3).obj(),
				Pods: []corev1.Pod{headReady.obj(), workerReady("w1"),
					makePod("w2").worker("small").running().
						notReady("ContainersNotReady", "").obj(),
					makePod("w3").worker("small").pending().obj()},
				HeadService: service.obj(),
			},
			want: rayv1.RayClusterStatus{
				Reason: "Waiting for worker pods: 1 of 3 desired worker pods are running " +
					"and ready.",
				LastUpdateTime: new(now),
				Endpoints:      endpoints,
				Head:           readyHead,
				Conditions: append([]metav1.Condition{headReadyCond,
					cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
						rayv1.RayClusterPodsProvisioning,
						"2 of 4 desired pods are running and ready.", now),
				}, notSuspended(now)...),
				ReadyWorkerReplicas:     1,
				AvailableWorkerReplicas: 2,
				DesiredWorkerReplicas:   3,
				MaxWorkerReplicas:       math.MaxInt32,
				ObservedGeneration:      1,
			},
		},
		"7: NodePort service": {
			in: StatusInput{
				Cluster: makeCluster().obj(),
				Pods:    []corev1.Pod{headReady.obj()},
				HeadService: makeService("demo-head-svc").nodePort("client", 10001, 31001).
					nodePort("dashboard", 8265, 31265).nodePort("metrics", 8080, 31080).obj(),
			},
			want: rayv1.RayClusterStatus{
				State:                rayv1.Ready,
				LastUpdateTime:       new(now),
				StateTransitionTimes: readySince,
				Endpoints: map[string]string{"client": "31001", "dashboard": "31265",
					"metrics": "31080"},
				Head:               readyHead,
				Conditions:         readyConds,
				ObservedGeneration: 1,
			},
		},
		"8: limits only on a 3-replica group, head requests 500m/1Gi": {
			in: StatusInput{
				Cluster: makeCluster().headResources(resourceList("cpu", "500m", "memory", "1Gi"),
					nil).withWorkers("small", 3).workerResources(nil,
					resourceList("cpu", "2", "memory", "4Gi")).obj(),
				Pods: []corev1.Pod{headReady.obj(), workerReady("w1"), workerReady("w2"),
					workerReady("w3")},
				HeadService: service.obj(),
			},
			want: rayv1.RayClusterStatus{
				State:                   rayv1.Ready,
				DesiredCPU:              q("6500m"),
				DesiredMemory:           q("13Gi"),
				LastUpdateTime:          new(now),
				StateTransitionTimes:    readySince,
				Endpoints:               endpoints,
				Head:                    readyHead,
				Conditions:              readyConds,
				ReadyWorkerReplicas:     3,
				AvailableWorkerReplicas: 3,
				DesiredWorkerReplicas:   3,
				MaxWorkerReplicas:       math.MaxInt32,
				ObservedGeneration:      1,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.in.Now = now
			before := tc.in.Cluster.DeepCopy()
			got := ComputeStatus(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tc.in.Cluster); diff != "" {
				t.Errorf("cluster modified (-before +after):\n%s", diff)
			}
		})
	}
}

// TestComputeStatusKnownCase1 follows a quota that refuses a worker pod, then is raised.
func TestComputeStatusKnownCase1(t *testing.T) {
	cluster := makeCluster().withWorkers("small", 2).obj()
	head := makePod("demo-head-a").head().running().ready().ip("10.0.0.1").obj()
	w1 := makePod("w1").worker("small").running().ready().obj()
	w2 := makePod("w2").worker("small").running().ready().obj()
	quota := errors.New(`pods "demo-small-worker-x" is forbidden: exceeded quota: compute, ` +
		`requested: pods=1, used: pods=2, limited: pods=2`)

	refused := ComputeStatus(StatusInput{Cluster: cluster, Pods: []corev1.Pod{head, w1},
		Errors: ReconcileErrors{CreateWorkerPod: quota}, Now: at(1)})
	want := rayv1.RayClusterStatus{
		State: rayv1.Failed,
		Reason: "The API server refused to create a worker pod: " +
			quota.Error() + ".",
		LastUpdateTime:       new(at(1)),
		StateTransitionTimes: map[rayv1.ClusterState]*metav1.Time{rayv1.Failed: new(at(1))},
		Head:                 rayv1.HeadInfo{PodIP: "10.0.0.1", PodName: "demo-head-a"},
		Conditions: []metav1.Condition{
			cond(rayv1.HeadPodReady, metav1.ConditionTrue, rayv1.HeadPodRunningAndReady,
				"The head pod demo-head-a is running and ready.", at(1)),
			cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
				rayv1.RayClusterPodsProvisioning, "2 of 3 desired pods are running and ready.",
				at(1)),
			notSuspended(at(1))[0],
			notSuspended(at(1))[1],
			cond(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue,
				rayv1.FailedCreateWorkerPod, quota.Error(), at(1)),
		},
		ReadyWorkerReplicas:     1,
		AvailableWorkerReplicas: 1,
		DesiredWorkerReplicas:   2,
		MaxWorkerReplicas:       math.MaxInt32,
		ObservedGeneration:      1,
	}
	if diff := cmp.Diff(want, refused); diff != "" {
		t.Errorf("quota refusing (-want +got):\n%s", diff)
	}

	cluster.Status = refused
	raised := ComputeStatus(StatusInput{Cluster: cluster, Pods: []corev1.Pod{head, w1, w2},
		Now: at(2)})
	want.State, want.Reason = rayv1.Ready, ""
	want.LastUpdateTime = new(at(2))
	want.StateTransitionTimes = map[rayv1.ClusterState]*metav1.Time{
		rayv1.Failed: new(at(1)), rayv1.Ready: new(at(2))}
	want.Conditions = []metav1.Condition{
		want.Conditions[0],
		cond(rayv1.RayClusterProvisioned, metav1.ConditionTrue,
			rayv1.AllPodRunningAndReadyFirstTime, "Every desired pod has been running and ready.",
			at(2)),
		want.Conditions[2],
		want.Conditions[3],
	}
	want.ReadyWorkerReplicas, want.AvailableWorkerReplicas = 2, 2
	if diff := cmp.Diff(want, raised); diff != "" {
		t.Errorf("quota raised (-want +got):\n%s", diff)
	}
}

func TestComputeStatusWithoutCluster(t *testing.T) {
	got := ComputeStatus(StatusInput{Now: at(1)})
	if diff := cmp.Diff(rayv1.RayClusterStatus{}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
