package kubectlray

import (
	"bytes"
	"math"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/google/go-cmp/cmp"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// created is when the objects of these tests were created.
var created = metav1.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// clusterBuilder builds a RayCluster named demo.
type clusterBuilder struct{ rc rayv1.RayCluster }

func makeCluster() *clusterBuilder {
	return &clusterBuilder{rc: rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "default",
			CreationTimestamp: created},
		Spec: rayv1.RayClusterSpec{HeadGroupSpec: rayv1.HeadGroupSpec{
			Template: podTemplate("ray-head", "rayproject/ray:2.52.0", resources("2", "4Gi", "")),
		}},
	}}
}

// withGroup adds a worker group of replicas replicas, each with cpu, memory and gpu.
func (b *clusterBuilder) withGroup(name string, replicas int32,
	cpu, memory, gpu string) *clusterBuilder {
	b.rc.Spec.WorkerGroupSpecs = append(b.rc.Spec.WorkerGroupSpecs, rayv1.WorkerGroupSpec{
		GroupName: name, Replicas: new(replicas), NumOfHosts: 1,
		Template: podTemplate("ray-worker", "rayproject/ray:2.52.0", resources(cpu, memory, gpu)),
	})
	return b
}

func (b *clusterBuilder) bounds(minReplicas int32, maxReplicas *int32) *clusterBuilder {
	g := &b.rc.Spec.WorkerGroupSpecs[len(b.rc.Spec.WorkerGroupSpecs)-1]
	g.MinReplicas, g.MaxReplicas = new(minReplicas), maxReplicas
	return b
}

func (b *clusterBuilder) status(st rayv1.RayClusterStatus) *clusterBuilder {
	b.rc.Status = st
	return b
}

func (b *clusterBuilder) obj() rayv1.RayCluster { return b.rc }

func resources(cpu, memory, gpu string) corev1.ResourceRequirements {
	list := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
		corev1.ResourceMemory: resource.MustParse(memory)}
	res := corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
	if gpu != "" {
		res.Limits[gpuResource] = resource.MustParse(gpu)
	}
	return res
}

func condition(t rayv1.RayClusterConditionType, status metav1.ConditionStatus,
	minute int) metav1.Condition {
	return metav1.Condition{Type: string(t), Status: status,
		LastTransitionTime: metav1.Date(2026, time.March, 1, 12, minute, 0, 0, time.UTC)}
}

// render prints table as the commands do.
func render(t *testing.T, table *metav1.Table, wide bool) string {
	t.Helper()
	var out bytes.Buffer
	p := printers.NewTablePrinter(printers.PrintOptions{Wide: wide})
	if err := p.PrintObj(table, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestClusterTable(t *testing.T) {
	ready := makeCluster().withGroup("small", 2, "1", "2Gi", "1").status(rayv1.RayClusterStatus{
		State: rayv1.Ready, DesiredWorkerReplicas: 2, AvailableWorkerReplicas: 2,
		ReadyWorkerReplicas: 1, DesiredCPU: resource.MustParse("4"),
		DesiredMemory: resource.MustParse("8Gi"), DesiredGPU: resource.MustParse("2"),
		ObservedGeneration: 1,
		Head:               rayv1.HeadInfo{PodIP: "10.0.0.5", ServiceIP: "10.96.0.20"},
		Conditions: []metav1.Condition{
			condition(rayv1.HeadPodReady, metav1.ConditionTrue, 1),
			condition(rayv1.RayClusterProvisioned, metav1.ConditionTrue, 2),
		},
	}).obj()
	provisioning := makeCluster().status(rayv1.RayClusterStatus{
		ObservedGeneration: 1, DesiredCPU: resource.MustParse("2"),
		DesiredMemory: resource.MustParse("4Gi"), Reason: "the head pod is Pending",
		DesiredTPU: resource.MustParse("4"),
	}).obj()
	provisioning.Name, provisioning.Namespace = "tpu", "research"
	unseen := makeCluster().obj()
	unseen.Name = "new"
	now := created.Add(90 * time.Second)
	clusters := []rayv1.RayCluster{ready, provisioning, unseen}

	golden(t, "cluster-table.txt", render(t, clusterTable(clusters, now), false))
	golden(t, "cluster-table-wide.txt", render(t, clusterTable(clusters, now), true))
}

func TestClusterCondition(t *testing.T) {
	cases := map[string]struct {
		conditions []metav1.Condition
		want       string
	}{
		"none": {want: none},
		"only false conditions": {
			conditions: []metav1.Condition{
				condition(rayv1.HeadPodReady, metav1.ConditionFalse, 3),
				condition(rayv1.RayClusterProvisioned, metav1.ConditionFalse, 3),
			},
			want: none,
		},
		"the true condition that changed last": {
			conditions: []metav1.Condition{
				condition(rayv1.RayClusterReplicaFailure, metav1.ConditionTrue, 5),
				condition(rayv1.RayClusterProvisioned, metav1.ConditionTrue, 2),
				condition(rayv1.HeadPodReady, metav1.ConditionFalse, 9),
			},
			want: string(rayv1.RayClusterReplicaFailure),
		},
		"a tie goes to the more telling condition": {
			conditions: []metav1.Condition{
				condition(rayv1.HeadPodReady, metav1.ConditionTrue, 4),
				condition(rayv1.RayClusterProvisioned, metav1.ConditionTrue, 4),
			},
			want: string(rayv1.RayClusterProvisioned),
		},
		"an unknown type loses a tie": {
			conditions: []metav1.Condition{
				{Type: "Custom", Status: metav1.ConditionTrue,
					LastTransitionTime: condition(rayv1.HeadPodReady, "", 4).LastTransitionTime},
				condition(rayv1.HeadPodReady, metav1.ConditionTrue, 4),
			},
			want: string(rayv1.HeadPodReady),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := clusterCondition(&rayv1.RayClusterStatus{Conditions: tc.conditions})
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// makePod is a Ray pod of cluster demo in group; head when group is headgroup.
func makePod(name, group string, phase corev1.PodPhase, ready bool) corev1.Pod {
	nodeType := raypod.WorkerNodeType
	if group == raypod.HeadGroupName {
		nodeType = raypod.HeadNodeType
	}
	readiness := corev1.ConditionFalse
	if ready {
		readiness = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: created,
			Labels: map[string]string{raypod.ClusterLabel: "demo", raypod.GroupLabel: group,
				raypod.NodeTypeLabel: nodeType, raypod.IsRayNodeLabel: "yes"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "ray",
			Image: "rayproject/ray:2.52.0", Resources: resources("1", "2Gi", "")}}},
		Status: corev1.PodStatus{Phase: phase,
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: readiness}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "ray", Ready: ready}}},
	}
}

func TestWorkerGroupTable(t *testing.T) {
	clusters := []rayv1.RayCluster{makeCluster().
		withGroup("small", 3, "1", "2Gi", "").bounds(1, new(int32(5))).
		withGroup("gpu", 1, "8", "32Gi", "2").bounds(0, new(int32(math.MaxInt32))).
		withGroup("idle", 0, "500m", "1Gi", "").obj()}
	pods := []corev1.Pod{
		makePod("demo-head-x", raypod.HeadGroupName, corev1.PodRunning, true),
		makePod("demo-small-worker-a", "small", corev1.PodRunning, true),
		makePod("demo-small-worker-b", "small", corev1.PodRunning, false),
		makePod("demo-small-worker-c", "small", corev1.PodPending, false),
		makePod("demo-gpu-worker-a", "gpu", corev1.PodRunning, true),
	}
	golden(t, "workergroup-table-wide.txt", render(t, workerGroupTable(clusters, pods), true))
}

func TestPodStatus(t *testing.T) {
	deleting := makePod("a", "small", corev1.PodRunning, true)
	deleting.DeletionTimestamp = &created
	evicted := makePod("a", "small", corev1.PodFailed, false)
	evicted.Status.Reason = "Evicted"
	crashing := makePod("a", "small", corev1.PodRunning, false)
	crashing.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{
		Reason: "CrashLoopBackOff"}
	creating := makePod("a", "small", corev1.PodPending, false)
	creating.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{
		Reason: "ContainerCreating"}
	stopped := makePod("a", "small", corev1.PodRunning, false)
	stopped.Status.ContainerStatuses[0].State.Terminated = &corev1.ContainerStateTerminated{
		Reason: "OOMKilled"}
	unknown := makePod("a", "small", "", false)

	cases := map[string]struct {
		pod  corev1.Pod
		want string
	}{
		"running":           {pod: makePod("a", "small", corev1.PodRunning, true), want: "Running"},
		"deleting":          {pod: deleting, want: "Terminating"},
		"evicted":           {pod: evicted, want: "Evicted"},
		"crashing":          {pod: crashing, want: "CrashLoopBackOff"},
		"creating":          {pod: creating, want: "Pending"},
		"container stopped": {pod: stopped, want: "OOMKilled"},
		"no phase reported": {pod: unknown, want: "Unknown"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := podStatus(&tc.pod); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNodeTable(t *testing.T) {
	head := makePod("demo-head-x", raypod.HeadGroupName, corev1.PodRunning, true)
	head.Status.PodIP, head.Spec.NodeName = "10.0.0.5", "node-1"
	worker := makePod("demo-small-worker-b", "small", corev1.PodPending, false)
	pods := []corev1.Pod{worker, head}
	sortPods(pods)
	golden(t, "node-table-wide.txt", render(t, nodeTable(pods, created.Add(2*time.Minute)), true))
}

func TestScalableGroup(t *testing.T) {
	rc := makeCluster().withGroup("small", 2, "1", "1Gi", "").bounds(1, new(int32(4))).
		withGroup("free", 0, "1", "1Gi", "").obj()
	cases := map[string]struct {
		group    string
		replicas int32
		want     int
		wantErr  string
	}{
		"within bounds": {group: "small", replicas: 4, want: 0},
		"no max":        {group: "free", replicas: 100, want: 1},
		"below min": {group: "small", replicas: 0, want: -1,
			wantErr: `cannot scale worker group "small" of RayCluster "demo" to 0 replicas: ` +
				"its minReplicas is 1"},
		"above max": {group: "small", replicas: 5, want: -1,
			wantErr: `cannot scale worker group "small" of RayCluster "demo" to 5 replicas: ` +
				"its maxReplicas is 4"},
		"no such group": {group: "gpu", replicas: 1, want: -1,
			wantErr: `RayCluster "demo" in namespace "default" has no worker group "gpu" ` +
				"(its groups: small, free)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := scalableGroup(&rc, tc.group, tc.replicas)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tc.want || gotErr != tc.wantErr {
				t.Errorf("got %d, %q; want %d, %q", got, gotErr, tc.want, tc.wantErr)
			}
		})
	}
}

func TestHeadPorts(t *testing.T) {
	head := makePod("demo-head-x", raypod.HeadGroupName, corev1.PodRunning, true)
	head.Spec.Containers[0].Ports = []corev1.ContainerPort{
		{Name: "dashboard", ContainerPort: 8266}, {Name: "gcs-server", ContainerPort: 6379}}
	forwards, urls := headPorts(&head)
	wantForwards := []string{"8266:8266", "10001:10001", "8000:8000"}
	wantURLs := []string{
		"dashboard  http://localhost:8266",
		"client     ray://localhost:10001",
		"serve      http://localhost:8000",
	}
	if diff := cmp.Diff(wantForwards, forwards); diff != "" {
		t.Errorf("forwards (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantURLs, urls); diff != "" {
		t.Errorf("urls (-want +got):\n%s", diff)
	}
}
