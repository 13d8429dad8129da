package raycluster

import (
	"time"

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

// resourceList is a ResourceList from name/quantity pairs.
func resourceList(pairs ...string) corev1.ResourceList {
	list := corev1.ResourceList{}
	for i := 0; i+1 < len(pairs); i += 2 {
		list[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return list
}
