//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

var (
	headLabels   = map[string]string{"ray.io/node-type": "head"}
	workerLabels = map[string]string{"ray.io/node-type": "worker"}
)

// condition returns the status condition of the type, or nil.
func condition(c *rayv1.RayCluster, t rayv1.RayClusterConditionType) *metav1.Condition {
	return meta.FindStatusCondition(c.Status.Conditions, string(t))
}

// Case 1: a ResourceQuota refuses a worker pod; the cluster is failed with the quota's message
// until the quota is raised, and then becomes ready with the condition gone.
func TestCase01QuotaRefusesWorker(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	quota := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pods"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}},
	}
	if err := env.Client.Create(ctx, quota); err != nil {
		t.Fatal(err)
	}
	// No quota controller runs here: set the status it would compute, which the quota
	// admission plugin then keeps up to date.
	setQuota(t, quota, "1", "0")

	c := newCluster(ns, "quota").withGroup("small", 1).create(t)
	got := waitForState(t, c, rayv1.Failed)
	cond := condition(got, rayv1.RayClusterReplicaFailure)
	if cond == nil || cond.Status != metav1.ConditionTrue || cond.Reason != rayv1.FailedCreateWorkerPod {
		t.Fatalf("ReplicaFailure = %+v, want True/%s", cond, rayv1.FailedCreateWorkerPod)
	}
	if !strings.Contains(cond.Message, "exceeded quota: pods") {
		t.Errorf("ReplicaFailure message %q does not carry the quota message", cond.Message)
	}
	if !strings.Contains(got.Status.Reason, "exceeded quota: pods") {
		t.Errorf("reason %q does not carry the quota message", got.Status.Reason)
	}
	waitForEvent(t, c, "FailedToCreateWorkerPod")

	setQuota(t, quota, "10", "")
	waitForPods(t, c, workerLabels, 1)
	runAll(t, c)
	got = waitForState(t, c, rayv1.Ready)
	if cond := condition(got, rayv1.RayClusterReplicaFailure); cond != nil {
		t.Errorf("ReplicaFailure still present after recovery: %+v", cond)
	}
	if got.Status.Reason != "" {
		t.Errorf("reason = %q, want empty", got.Status.Reason)
	}
}

// setQuota sets a pods quota's hard limit in spec and status, and its usage unless used is "".
func setQuota(t *testing.T, q *corev1.ResourceQuota, hard, used string) {
	t.Helper()
	eventually(t, "quota update", func() error {
		ctx := context.Background()
		current := &corev1.ResourceQuota{}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: q.Namespace, Name: q.Name},
			current); err != nil {
			return err
		}
		current.Spec.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse(hard)}
		if err := env.Client.Update(ctx, current); err != nil {
			return err
		}
		current.Status.Hard = current.Spec.Hard.DeepCopy()
		if used != "" {
			current.Status.Used = corev1.ResourceList{corev1.ResourcePods: resource.MustParse(used)}
		}
		return env.Client.Status().Update(ctx, current)
	})
}

// Case 2: the head pod cannot be scheduled. The cluster stays provisioning, says why, and has
// no head IP.
func TestCase02HeadUnschedulable(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "big-head").create(t)
	head := waitForPods(t, c, headLabels, 1)[0]
	head.Status.Phase = corev1.PodPending
	head.Status.Conditions = []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
		Message: "0/4 nodes are available: 4 Insufficient cpu.",
	}}
	if err := env.Client.Status().Update(context.Background(), &head); err != nil {
		t.Fatal(err)
	}
	var got *rayv1.RayCluster
	eventually(t, "unschedulable reason", func() error {
		got = getCluster(t, c)
		if !strings.Contains(got.Status.Reason, "unschedulable") {
			return fmt.Errorf("reason %q", got.Status.Reason)
		}
		return nil
	})
	if got.Status.State != "" {
		t.Errorf("state = %q, want empty (provisioning)", got.Status.State)
	}
	if !strings.Contains(got.Status.Reason, "Insufficient cpu") {
		t.Errorf("reason %q lacks the scheduler's message", got.Status.Reason)
	}
	if got.Status.Head.PodIP != "" {
		t.Errorf("head.podIP = %q, want empty", got.Status.Head.PodIP)
	}
	if cond := condition(got, rayv1.HeadPodReady); cond == nil || cond.Status != metav1.ConditionFalse {
		t.Errorf("HeadPodReady = %+v, want False", cond)
	}
	cond := condition(got, rayv1.RayClusterProvisioned)
	if cond == nil || cond.Status != metav1.ConditionFalse || cond.Reason != rayv1.RayClusterPodsProvisioning {
		t.Errorf("RayClusterProvisioned = %+v, want False/%s", cond, rayv1.RayClusterPodsProvisioning)
	}
}

// Case 3: replicas 2, minReplicas 1, maxReplicas 3, numOfHosts 2 give 4 workers.
func TestCase03MultiHostCounts(t *testing.T) {
	ns := newNamespace(t)
	b := newCluster(ns, "hosts").withGroup("tpu", 2)
	g := b.lastGroup()
	g.MinReplicas, g.MaxReplicas, g.NumOfHosts = ptr.To[int32](1), ptr.To[int32](3), 2
	c := b.create(t)
	waitForPods(t, c, workerLabels, 4)
	runAll(t, c)
	got := waitForState(t, c, rayv1.Ready)
	want := "desired 4 min 2 max 6 ready 4 available 4"
	if counts := replicaCounts(got); counts != want {
		t.Errorf("counts = %q, want %q", counts, want)
	}
	headless := &corev1.Service{}
	if err := env.Client.Get(context.Background(),
		types.NamespacedName{Namespace: ns, Name: "hosts-headless"}, headless); err != nil {
		t.Errorf("headless Service of a multi-host group: %v", err)
	}
}

func replicaCounts(c *rayv1.RayCluster) string {
	s := c.Status
	return fmt.Sprintf("desired %d min %d max %d ready %d available %d", s.DesiredWorkerReplicas,
		s.MinWorkerReplicas, s.MaxWorkerReplicas, s.ReadyWorkerReplicas, s.AvailableWorkerReplicas)
}

// Case 4: replicas below minReplicas count as minReplicas; no maxReplicas means the largest
// int32.
func TestCase04ReplicasBelowMin(t *testing.T) {
	ns := newNamespace(t)
	b := newCluster(ns, "below-min").withGroup("small", 1)
	g := b.lastGroup()
	g.MinReplicas, g.NumOfHosts = ptr.To[int32](3), 4
	c := b.create(t)
	waitForPods(t, c, workerLabels, 12)
	var got *rayv1.RayCluster
	want := "desired 12 min 12 max 2147483647 ready 0 available 0"
	eventually(t, "counts", func() error {
		got = getCluster(t, c)
		if counts := replicaCounts(got); counts != want {
			return fmt.Errorf("counts %q, want %q", counts, want)
		}
		return nil
	})
}

// Case 5: available counts running workers, ready or not; ready counts only ready ones.
func TestCase05AvailableAndReady(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "mixed").withGroup("small", 3).create(t)
	head := waitForPods(t, c, headLabels, 1)[0]
	workers := waitForPods(t, c, workerLabels, 3)
	setPodStatus(t, &head, corev1.PodRunning, true, "10.0.1.1")
	setPodStatus(t, &workers[0], corev1.PodRunning, true, "10.0.1.2")
	setPodStatus(t, &workers[1], corev1.PodRunning, false, "10.0.1.3")
	setPodStatus(t, &workers[2], corev1.PodPending, false, "")
	eventually(t, "counts", func() error {
		got := getCluster(t, c)
		s := got.Status
		if s.AvailableWorkerReplicas != 2 || s.ReadyWorkerReplicas != 1 {
			return fmt.Errorf("available %d ready %d", s.AvailableWorkerReplicas, s.ReadyWorkerReplicas)
		}
		return nil
	})
}

// Case 6: unnamed head ports are named <port>-port, metrics is added, and the endpoints have
// exactly those keys.
func TestCase06UnnamedPorts(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "ports").edit(func(c *rayv1.RayCluster) {
		c.Spec.HeadGroupSpec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{
			{ContainerPort: 6379}, {ContainerPort: 8265}, {ContainerPort: 10001},
		}
	}).create(t)
	svc := waitForService(t, ns, "ports-head-svc")
	var names []string
	for _, p := range svc.Spec.Ports {
		names = append(names, fmt.Sprintf("%s=%d", p.Name, p.Port))
	}
	slices.Sort(names)
	wantPorts := []string{"10001-port=10001", "6379-port=6379", "8265-port=8265", "metrics=8080"}
	if diff := cmp.Diff(wantPorts, names); diff != "" {
		t.Errorf("service ports (-want +got):\n%s", diff)
	}
	want := map[string]string{"6379-port": "6379", "8265-port": "8265", "10001-port": "10001",
		"metrics": "8080"}
	eventually(t, "endpoints", func() error {
		if diff := cmp.Diff(want, getCluster(t, c).Status.Endpoints); diff != "" {
			return fmt.Errorf("endpoints (-want +got):\n%s", diff)
		}
		return nil
	})
}

func waitForService(t *testing.T, ns, name string) *corev1.Service {
	t.Helper()
	svc := &corev1.Service{}
	eventually(t, "Service "+name, func() error {
		return env.Client.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, svc)
	})
	return svc
}

// Case 7: with a NodePort head Service, the endpoints are the node ports the API server
// allocated.
func TestCase07NodePortEndpoints(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "np").edit(func(c *rayv1.RayCluster) {
		c.Spec.HeadGroupSpec.ServiceType = corev1.ServiceTypeNodePort
	}).create(t)
	svc := waitForService(t, ns, "np-head-svc")
	want := map[string]string{}
	for _, p := range svc.Spec.Ports {
		if p.NodePort == 0 {
			t.Fatalf("port %s has no node port", p.Name)
		}
		want[p.Name] = strconv.Itoa(int(p.NodePort))
	}
	if len(want) != 5 {
		t.Errorf("head Service has %d ports, want the 5 defaults", len(want))
	}
	eventually(t, "node port endpoints", func() error {
		if diff := cmp.Diff(want, getCluster(t, c).Status.Endpoints); diff != "" {
			return fmt.Errorf("endpoints (-want +got):\n%s", diff)
		}
		return nil
	})
}

// Case 8: resources with limits only are summed from the limits, and the spec is not changed.
func TestCase08LimitsOnly(t *testing.T) {
	ns := newNamespace(t)
	b := newCluster(ns, "limits").withGroup("small", 3)
	b.lastGroup().Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{
		Limits: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("2"),
			corev1.ResourceMemory: resource.MustParse("4Gi"),
		},
	}
	c := b.create(t)
	before := getCluster(t, c).Spec
	var got *rayv1.RayCluster
	eventually(t, "desired resources", func() error {
		got = getCluster(t, c)
		s := got.Status
		cpu, mem := s.DesiredCPU.String(), s.DesiredMemory.String()
		if cpu != "6500m" || mem != "13Gi" {
			return fmt.Errorf("desiredCPU %s desiredMemory %s", cpu, mem)
		}
		return nil
	})
	if diff := cmp.Diff(before, got.Spec); diff != "" {
		t.Errorf("spec changed (-before +after):\n%s", diff)
	}
}

// Case 9: scaling down by one without autoscaling deletes exactly one pod and creates none.
func TestCase09ScaleDown(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "down").withGroup("small", 5).create(t)
	before := podNames(waitForPods(t, c, workerLabels, 5))
	update(t, c, func(c *rayv1.RayCluster) { c.Spec.WorkerGroupSpecs[0].Replicas = ptr.To[int32](4) })
	waitForDesired(t, c, 4)
	after := podNames(waitForPods(t, c, workerLabels, 4))
	for _, name := range after {
		if !slices.Contains(before, name) {
			t.Errorf("pod %s was created while scaling down", name)
		}
	}
}

func podNames(pods []corev1.Pod) []string {
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	return names
}

// waitForDesired waits until the status reflects the latest spec with n desired workers.
func waitForDesired(t *testing.T, c *rayv1.RayCluster, n int32) {
	t.Helper()
	eventually(t, "status of the new generation", func() error {
		got := getCluster(t, c)
		if got.Status.ObservedGeneration != got.Generation || got.Status.DesiredWorkerReplicas != n {
			return fmt.Errorf("observedGeneration %d of %d, desired %d", got.Status.ObservedGeneration,
				got.Generation, got.Status.DesiredWorkerReplicas)
		}
		return nil
	})
}

// Case 10: with autoscaling on, scaling down deletes exactly the pods in workersToDelete.
func TestCase10WorkersToDelete(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "auto").withGroup("small", 3).edit(func(c *rayv1.RayCluster) {
		c.Spec.EnableInTreeAutoscaling = ptr.To(true)
	}).create(t)
	pods := waitForPods(t, c, workerLabels, 3)
	before := podNames(pods)
	victim := before[1]
	// The victim is the only running worker, the last one any ranking of its own would pick:
	// only honouring workersToDelete deletes it.
	setPodStatus(t, &pods[1], corev1.PodRunning, true, "10.0.3.2")
	update(t, c, func(c *rayv1.RayCluster) {
		c.Spec.WorkerGroupSpecs[0].Replicas = ptr.To[int32](2)
		c.Spec.WorkerGroupSpecs[0].ScaleStrategy.WorkersToDelete = []string{victim}
	})
	waitForDesired(t, c, 2)
	after := podNames(waitForPods(t, c, workerLabels, 2))
	want := []string{before[0], before[2]}
	if diff := cmp.Diff(want, after); diff != "" {
		t.Errorf("workers after the scale-down (-want +got):\n%s", diff)
	}
}

// Case 11: an evicted head pod is replaced, and the status follows the new pod.
func TestCase11HeadEvicted(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "evict").create(t)
	old := waitForPods(t, c, headLabels, 1)[0]
	setPodStatus(t, &old, corev1.PodRunning, true, "10.0.2.1")
	waitForState(t, c, rayv1.Ready)

	old.Status.Phase = corev1.PodFailed
	old.Status.Reason = "Evicted"
	old.Status.Message = "The node was low on resource: memory."
	if err := env.Client.Status().Update(context.Background(), &old); err != nil {
		t.Fatal(err)
	}
	var replacement corev1.Pod
	eventually(t, "replacement head pod", func() error {
		pods := listPods(t, c, headLabels)
		if len(pods) != 1 || pods[0].Name == old.Name {
			return fmt.Errorf("head pods %v", podNames(pods))
		}
		replacement = pods[0]
		return nil
	})
	setPodStatus(t, &replacement, corev1.PodRunning, true, "10.0.2.2")
	eventually(t, "status of the new head", func() error {
		h := getCluster(t, c).Status.Head
		if h.PodName != replacement.Name || h.PodIP != "10.0.2.2" {
			return fmt.Errorf("head %+v", h)
		}
		return nil
	})
}

// Case 12: suspend, resume, and suspend again before the head runs: no pod is left, and the
// last resume brings the pods back.
func TestCase12SuspendResume(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "pause").withGroup("small", 2).create(t)
	waitForPods(t, c, nil, 3)
	setSuspend := func(v bool) {
		update(t, c, func(c *rayv1.RayCluster) { c.Spec.Suspend = ptr.To(v) })
	}

	setSuspend(true)
	waitForPods(t, c, nil, 0)
	waitForState(t, c, rayv1.Suspended)

	setSuspend(false)
	waitForPods(t, c, nil, 3)
	setSuspend(true)
	waitForPods(t, c, nil, 0)
	got := waitForState(t, c, rayv1.Suspended)
	suspended := condition(got, rayv1.RayClusterSuspended)
	suspending := condition(got, rayv1.RayClusterSuspending)
	if suspended == nil || suspended.Status != metav1.ConditionTrue {
		t.Errorf("RayClusterSuspended = %+v, want True", suspended)
	}
	if suspending != nil && suspending.Status == metav1.ConditionTrue {
		t.Errorf("RayClusterSuspending and RayClusterSuspended are both True")
	}

	setSuspend(false)
	waitForPods(t, c, headLabels, 1)
	waitForPods(t, c, workerLabels, 2)
	runAll(t, c)
	waitForState(t, c, rayv1.Ready)
}
