package raycluster

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

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
