package raycluster

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// periodError is an error whose text ends a sentence, as some API server and admission
// messages do; the status must not end up with two periods.
type periodError string

func (e periodError) Error() string { return string(e) }

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
