package raycluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// FuzzComputeStatus builds a cluster, its pods, its head Service, the reconcile's errors and a
// previous status from the fuzzer's bytes, and checks what must hold for any input: no panic,
// ready only with a Running and Ready head pod, conditions the API server accepts, the input
// left alone, and a status that stays as it is when computed again from itself.
func FuzzComputeStatus(f *testing.F) {
	f.Add([]byte{})
	// A ready cluster: head Running and Ready, nothing else.
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 1, 0, 2, 1, 1, 0, 0, 0, 1})
	// Groups with extreme counts and resources, several pods, a Service and errors.
	f.Add([]byte{1, 2, 3, 6, 6, 6, 6, 1, 5, 4, 3, 2, 1, 7, 1, 2, 2, 1, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("suspend, resume, and suspend again before the head runs"))
	// Found by fuzzing: a GPU sum in Gi beyond 2^63 did not read back as written.
	f.Add([]byte("00001000110010B0"))
	f.Add([]byte{255, 254, 253, 252, 251, 250, 249, 248, 247, 246, 245, 244, 243, 242, 241})

	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzStatusInput(&fuzzReader{data: data})
		before := fuzzCopy(in)

		got := ComputeStatus(in)

		if !apiequality.Semantic.DeepEqual(before, fuzzCopy(in)) {
			t.Fatalf("input modified:\n%s", cmp.Diff(before, fuzzCopy(in)))
		}
		checkStatusInvariants(t, in, got)
		checkStatusIsFixedPoint(t, in, got)
	})
}

// fuzzReader hands out the fuzzer's bytes as small decisions; once they run out, every
// decision is 0.
type fuzzReader struct{ data []byte }

func (r *fuzzReader) next() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *fuzzReader) intn(n int) int { return int(r.next()) % n }

func (r *fuzzReader) flag() bool { return r.next()%2 == 1 }

// pick returns one of options.
func pick[T any](r *fuzzReader, options ...T) T { return options[r.intn(len(options))] }

// count is a replica count, including the edges admission would refuse.
func (r *fuzzReader) count() int32 { return pick[int32](r, 0, 1, 2, 3, 5, -1, math.MaxInt32) }

func (r *fuzzReader) optionalCount() *int32 {
	if r.flag() {
		return nil
	}
	return new(r.count())
}

func (r *fuzzReader) resources() corev1.ResourceList {
	names := []string{"cpu", "memory", "nvidia.com/gpu", "amd.com/gpu", "google.com/tpu"}
	var pairs []string
	for range r.intn(4) {
		pairs = append(pairs, pick(r, names...),
			pick(r, "0", "500m", "2", "1Gi", "1e3", "0.001", "123456789012345678901234567890"))
	}
	return resourceList(pairs...)
}

func (r *fuzzReader) err() error {
	if r.intn(4) != 0 {
		return nil
	}
	return errors.New(pick(r, "refused", "", `exceeded quota: "q"`))
}

func fuzzStatusInput(r *fuzzReader) StatusInput {
	in := StatusInput{Cluster: fuzzCluster(r), Now: at(10)}
	for i := range r.intn(7) {
		in.Pods = append(in.Pods, fuzzPod(r, i))
	}
	if r.flag() {
		in.HeadService = fuzzService(r)
	}
	in.Errors = ReconcileErrors{CreateHeadPod: r.err(), CreateWorkerPod: r.err(),
		DeleteHeadPod: r.err(), DeleteWorkerPod: r.err(), DeleteAllPods: r.err(),
		CreateService: r.err(), CreateObject: r.err(), InvalidSpec: r.err()}
	for range r.intn(3) {
		in.Errors.RayConfig = append(in.Errors.RayConfig, pick(r, "", "Head port is 0."))
	}
	return in
}

func fuzzCluster(r *fuzzReader) *rayv1.RayCluster {
	b := makeCluster().generation(int64(r.intn(3))).headResources(r.resources(), r.resources())
	if r.flag() {
		b.suspend()
	}
	for i := range r.intn(4) {
		b.withWorkers(pick(r, "a", "b", "c")+fmt.Sprint(i), 0)
		g := b.group()
		g.Replicas, g.MinReplicas, g.MaxReplicas = r.optionalCount(), r.optionalCount(),
			r.optionalCount()
		g.NumOfHosts = r.count()
		if r.flag() {
			b.suspendGroup()
		}
		b.workerResources(r.resources(), r.resources())
	}
	b.cluster.Status.State = pick[rayv1.ClusterState](r, "", rayv1.Ready, rayv1.Failed,
		rayv1.Suspended)
	if r.flag() {
		b.cluster.Status.LastUpdateTime = new(at(r.intn(3)))
	}
	for _, t := range []rayv1.RayClusterConditionType{rayv1.RayClusterProvisioned,
		rayv1.HeadPodReady, rayv1.RayClusterReplicaFailure} {
		if s := r.intn(3); s > 0 {
			status := pick(r, metav1.ConditionTrue, metav1.ConditionFalse)
			b.previous(cond(t, status, "Before", "before", at(r.intn(3))))
		}
	}
	return b.obj()
}

func fuzzPod(r *fuzzReader, i int) corev1.Pod {
	b := makePod(fmt.Sprintf("pod-%d", i)).createdAt(at(r.intn(3)))
	switch r.intn(3) {
	case 0:
		b.head()
	case 1:
		b.worker(pick(r, "a0", "b1", "c2", "z"))
	}
	b.phase(pick[corev1.PodPhase](r, "", corev1.PodPending, corev1.PodRunning,
		corev1.PodSucceeded, corev1.PodFailed, corev1.PodUnknown))
	if s := r.intn(3); s > 0 {
		b.condition(corev1.PodReady, pick(r, corev1.ConditionTrue, corev1.ConditionFalse),
			pick(r, "", containersNotReadyReason, "not a reason!"), "message")
	}
	if r.flag() {
		b.condition(corev1.PodScheduled, corev1.ConditionFalse, corev1.PodReasonUnschedulable,
			pick(r, "", "0/1 nodes are available."))
	}
	reason := pick(r, "CrashLoopBackOff", "ErrImagePull", "ContainerCreating", "Error", "")
	switch r.intn(4) {
	case 1:
		b.waiting(reason, "waiting")
	case 2:
		b.terminated(reason, 1)
	case 3:
		b.rayContainer(corev1.ContainerState{Running: &corev1.ContainerStateRunning{}})
	}
	if r.flag() {
		b.initWaiting("wait-gcs-ready", reason)
	}
	if r.flag() {
		b.terminating()
	}
	if r.flag() {
		b.ip("10.0.0.1")
	}
	return b.obj()
}

func fuzzService(r *fuzzReader) *corev1.Service {
	b := makeService("demo-head-svc").clusterIP(pick(r, "", corev1.ClusterIPNone, "10.96.0.1"))
	for range r.intn(4) {
		b.servicePort(corev1.ServicePort{
			Name:       pick(r, "", "client", "dashboard"),
			Port:       pick[int32](r, 0, 6379),
			NodePort:   pick[int32](r, 0, 30000),
			TargetPort: pick(r, intstr.IntOrString{}, intstr.FromInt32(8265), intstr.FromString("d")),
		})
	}
	return b.obj()
}

// fuzzCopy is a deep copy of what ComputeStatus must leave alone.
func fuzzCopy(in StatusInput) any {
	pods := make([]*corev1.Pod, len(in.Pods))
	for i := range in.Pods {
		pods[i] = in.Pods[i].DeepCopy()
	}
	return []any{in.Cluster.DeepCopy(), pods, in.HeadService.DeepCopy()}
}

func checkStatusInvariants(t *testing.T, in StatusInput, got rayv1.RayClusterStatus) {
	t.Helper()
	if got.State == rayv1.Ready && !hasServingHead(in.Pods) {
		t.Errorf("state ready without a Running and Ready head pod")
	}
	if (got.State == rayv1.Ready) != (got.Reason == "") {
		t.Errorf("state %q with reason %q: only ready has no reason", got.State, got.Reason)
	}
	if got.ReadyWorkerReplicas < 0 || got.ReadyWorkerReplicas > got.AvailableWorkerReplicas ||
		int(got.AvailableWorkerReplicas) > len(in.Pods) {
		t.Errorf("ready %d, available %d of %d pods", got.ReadyWorkerReplicas,
			got.AvailableWorkerReplicas, len(in.Pods))
	}
	if got.DesiredWorkerReplicas < 0 || got.MinWorkerReplicas < 0 || got.MaxWorkerReplicas < 0 {
		t.Errorf("negative replica counts: %+v", got)
	}
	if got.ObservedGeneration != in.Cluster.Generation {
		t.Errorf("observedGeneration %d, want %d", got.ObservedGeneration, in.Cluster.Generation)
	}
	trueConditions := map[string]bool{}
	for _, c := range got.Conditions {
		if !conditionReasonPattern.MatchString(c.Reason) || len(c.Message) > 32768 ||
			c.LastTransitionTime.IsZero() || c.ObservedGeneration != in.Cluster.Generation {
			t.Errorf("condition the API server would refuse, or stale: %+v", c)
		}
		trueConditions[c.Type] = c.Status == metav1.ConditionTrue
	}
	if trueConditions[string(rayv1.RayClusterSuspending)] &&
		trueConditions[string(rayv1.RayClusterSuspended)] {
		t.Errorf("suspending and suspended both true")
	}
}

func hasServingHead(pods []corev1.Pod) bool {
	for i := range pods {
		p := &pods[i]
		if p.Labels[raypod.NodeTypeLabel] == raypod.HeadNodeType && podRunningAndReady(p) {
			return true
		}
	}
	return false
}

// checkStatusIsFixedPoint computes the status again, later, from got as stored and read back,
// with nothing else changed: it must not move, or the reconciler would write it every time.
func checkStatusIsFixedPoint(t *testing.T, in StatusInput, got rayv1.RayClusterStatus) {
	t.Helper()
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("status does not serialise: %v", err)
	}
	stored := in.Cluster.DeepCopy()
	stored.Status = rayv1.RayClusterStatus{}
	if err := json.Unmarshal(raw, &stored.Status); err != nil {
		t.Fatalf("status does not read back: %v", err)
	}
	in.Cluster, in.Now = stored, at(20)
	again := ComputeStatus(in)
	if !apiequality.Semantic.DeepEqual(got, again) {
		t.Errorf("status moved on an unchanged cluster (-first +again):\n%s", cmp.Diff(got, again))
	}
}
