package raycluster

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

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

// TestComputeStatusPodsReplaced: when the operator deletes every pod on purpose (suspend, or a
// Recreate upgrade), a provisioned cluster stops being ready at once, although the cache still
// shows the old pods ready, and stays unprovisioned until the new pods are all ready.
func TestComputeStatusPodsReplaced(t *testing.T) {
	now, before := at(1), at(0)
	provisioned := cond(rayv1.RayClusterProvisioned, metav1.ConditionTrue,
		rayv1.AllPodRunningAndReadyFirstTime, "Every desired pod has been running and ready.",
		before)
	old := []corev1.Pod{makePod("demo-head-a").head().running().ready().obj(),
		makePod("demo-small-worker-a").worker("small").running().ready().obj()}
	cluster := makeCluster().withWorkers("small", 1).previous(provisioned).obj()
	cluster.Status.State = rayv1.Ready

	got := ComputeStatus(StatusInput{Cluster: cluster, Pods: old, PodsReplaced: true, Now: now})
	want := cond(rayv1.RayClusterProvisioned, metav1.ConditionFalse,
		rayv1.RayClusterPodsProvisioning, "Every pod was deleted, to suspend the cluster or to "+
			"rebuild it from a changed spec; it is provisioned again once every desired pod is "+
			"running and ready.", now)
	if diff := cmp.Diff(&want, meta.FindStatusCondition(got.Conditions,
		string(rayv1.RayClusterProvisioned))); diff != "" {
		t.Errorf("RayClusterProvisioned (-want +got):\n%s", diff)
	}
	if got.State == rayv1.Ready {
		t.Errorf("state %q while every pod was just deleted", got.State)
	}

	// The next reconcile sees the new head ready and the new worker not yet: still not ready.
	cluster.Status = got
	fresh := []corev1.Pod{makePod("demo-head-b").head().running().ready().obj(),
		makePod("demo-small-worker-b").worker("small").obj()}
	next := ComputeStatus(StatusInput{Cluster: cluster, Pods: fresh, Now: at(2)})
	if next.State == rayv1.Ready || meta.IsStatusConditionTrue(next.Conditions,
		string(rayv1.RayClusterProvisioned)) {
		t.Errorf("state %q, provisioned %v with 1 of 2 new pods ready", next.State,
			meta.IsStatusConditionTrue(next.Conditions, string(rayv1.RayClusterProvisioned)))
	}
}
