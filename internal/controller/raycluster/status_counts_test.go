package raycluster

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

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
