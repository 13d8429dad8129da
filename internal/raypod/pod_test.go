package raypod

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func wantProbe(command string, initialDelay, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{
			Exec: &corev1.ExecAction{Command: []string{"bash", "-c", command}},
		},
		InitialDelaySeconds: initialDelay,
		TimeoutSeconds:      5,
		PeriodSeconds:       5,
		SuccessThreshold:    1,
		FailureThreshold:    failures,
	}
}

const (
	raylet = "wget -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success"
	gcs    = "wget -T 2 -q -O- http://localhost:8265/api/gcs_healthz | grep success"
)

func TestBuildHeadPod(t *testing.T) {
	c := makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
		ctr.Resources.Limits = resources("cpu", "2", "memory", "4Gi")
	}).withHead(func(h *rayv1.HeadGroupSpec) {
		h.Template.Labels = pairs("team", "ml")
		h.Template.Annotations = pairs("note", "kept")
	}).obj()
	rayStart := "ray start --head --block --dashboard-host=0.0.0.0 --memory=4294967296 " +
		"--metrics-export-port=8080 --num-cpus=2"
	shm := resource.MustParse("4Gi")
	want := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "demo-head-",
			Namespace:    "ns",
			Labels: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "head", GroupLabel: "headgroup",
				IdentifierLabel: "demo-head", IsRayNodeLabel: "yes", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator", "team": "ml",
			},
			Annotations:     pairs("note", "kept", SpecHashAnnotation, SpecHash(c)),
			OwnerReferences: wantOwner(),
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:    "ray-head",
				Image:   testImage,
				Command: []string{"/bin/bash", "-lc", "--"},
				Args:    []string{"ulimit -n 65536; " + rayStart},
				Ports: []corev1.ContainerPort{
					{Name: "client", ContainerPort: 10001, Protocol: corev1.ProtocolTCP},
					{Name: "gcs-server", ContainerPort: 6379, Protocol: corev1.ProtocolTCP},
					{Name: "dashboard", ContainerPort: 8265, Protocol: corev1.ProtocolTCP},
					{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
					{Name: "serve", ContainerPort: 8000, Protocol: corev1.ProtocolTCP},
				},
				Env: []corev1.EnvVar{
					{Name: "KUBERAY_GEN_RAY_START_CMD", Value: rayStart},
					{Name: "RAY_CLUSTER_NAME", Value: "demo"},
					{Name: "RAY_CLUSTER_NAMESPACE", Value: "ns"},
					{Name: "RAY_ADDRESS", Value: "127.0.0.1:6379"},
					{Name: "RAY_PORT", Value: "6379"},
					{Name: "RAY_USAGE_STATS_KUBERAY_IN_USE", Value: "1"},
				},
				Resources:      corev1.ResourceRequirements{Limits: resources("cpu", "2", "memory", "4Gi")},
				VolumeMounts:   []corev1.VolumeMount{{Name: "shared-mem", MountPath: "/dev/shm"}},
				LivenessProbe:  wantProbe(raylet+" && "+gcs, 30, 120),
				ReadinessProbe: wantProbe(raylet+" && "+gcs, 10, 10),
			}},
			Volumes: []corev1.Volume{{
				Name: "shared-mem",
				VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
					Medium: corev1.StorageMediumMemory, SizeLimit: &shm,
				}},
			}},
			RestartPolicy: corev1.RestartPolicyAlways,
		},
	}
	got, err := BuildHeadPod(c, Options{})
	if err != nil {
		t.Fatalf("BuildHeadPod() error = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildHeadPod() mismatch (-want +got):\n%s", diff)
	}
}

func TestBuildWorkerPod(t *testing.T) {
	c := makeCluster("demo").withWorkers("small", 2).withWorkerContainer(func(ctr *corev1.Container) {
		ctr.Resources.Limits = resources("cpu", "500m", "memory", "1Gi", "nvidia.com/gpu", "1")
		ctr.Resources.Requests = resources("cpu", "500m", "memory", "1Gi", "nvidia.com/gpu", "1")
		ctr.Env = []corev1.EnvVar{{Name: "RAY_ADDRESS", Value: "user-choice:1"}}
	}).obj()
	const address = "demo-head-svc.ns.svc.cluster.local:6379"
	rayStart := "ray start --address=" + address + " --block --memory=1073741824 " +
		"--metrics-export-port=8080 --num-cpus=1 --num-gpus=1"
	env := []corev1.EnvVar{
		{Name: "RAY_ADDRESS", Value: "user-choice:1"},
		{Name: "KUBERAY_GEN_RAY_START_CMD", Value: rayStart},
		{Name: "RAY_CLUSTER_NAME", Value: "demo"},
		{Name: "RAY_CLUSTER_NAMESPACE", Value: "ns"},
		{Name: "RAY_PORT", Value: "6379"},
		{Name: "RAY_USAGE_STATS_KUBERAY_IN_USE", Value: "1"},
		{Name: "FQ_RAY_IP", Value: "demo-head-svc.ns.svc.cluster.local"},
		{Name: "RAY_IP", Value: "demo-head-svc"},
	}
	shm := resource.MustParse("1Gi")
	mounts := []corev1.VolumeMount{{Name: "shared-mem", MountPath: "/dev/shm"}}
	want := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "demo-small-worker-",
			Namespace:    "ns",
			Labels: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "worker", GroupLabel: "small",
				IdentifierLabel: "demo-worker", IsRayNodeLabel: "yes", AppNameLabel: "kuberay",
				CreatedByLabel: "my-operator",
			},
			Annotations:     pairs(SpecHashAnnotation, SpecHash(c)),
			OwnerReferences: wantOwner(),
		},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{
				Name:    "wait-gcs-ready",
				Image:   testImage,
				Command: []string{"/bin/bash", "-lc", "--"},
				Args: []string{"until ray health-check --address " + address +
					" > /dev/null 2>&1; do echo \"Waiting for the GCS at " + address +
					"\"; sleep 5; done"},
				Env:          env,
				VolumeMounts: mounts,
				Resources: corev1.ResourceRequirements{
					Limits:   resources("cpu", "500m", "memory", "1Gi"),
					Requests: resources("cpu", "500m", "memory", "1Gi"),
				},
			}},
			Containers: []corev1.Container{{
				Name:    "ray-worker",
				Image:   testImage,
				Command: []string{"/bin/bash", "-lc", "--"},
				Args:    []string{"ulimit -n 65536; " + rayStart},
				Ports: []corev1.ContainerPort{
					{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
				},
				Env: env,
				Resources: corev1.ResourceRequirements{
					Limits:   resources("cpu", "500m", "memory", "1Gi", "nvidia.com/gpu", "1"),
					Requests: resources("cpu", "500m", "memory", "1Gi", "nvidia.com/gpu", "1"),
				},
				VolumeMounts:   mounts,
				LivenessProbe:  wantProbe(raylet, 30, 120),
				ReadinessProbe: wantProbe(raylet, 10, 10),
			}},
			Volumes: []corev1.Volume{{
				Name: "shared-mem",
				VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
					Medium: corev1.StorageMediumMemory, SizeLimit: &shm,
				}},
			}},
			RestartPolicy: corev1.RestartPolicyAlways,
		},
	}
	got, err := BuildWorkerPod(c, "small", Options{OperatorName: "my-operator"})
	if err != nil {
		t.Fatalf("BuildWorkerPod() error = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildWorkerPod() mismatch (-want +got):\n%s", diff)
	}
}

// TestKnownCase16 is known case 16 of the spec.
func TestKnownCase16(t *testing.T) {
	c := makeCluster("demo").withHeadParams("include-dashboard", "false").
		withWorkers("small", 1).withWorkerContainer(func(ctr *corev1.Container) {
		ctr.Resources.Limits = resources("cpu", "500m")
	}).obj()

	head, err := BuildHeadPod(c, Options{})
	if err != nil {
		t.Fatalf("BuildHeadPod() error = %v", err)
	}
	wantHead := "ray start --head --block --dashboard-host=0.0.0.0 --include-dashboard=false " +
		"--metrics-export-port=8080"
	gotHead := envValue(&head.Spec.Containers[0], GeneratedCommandEnv)
	if diff := cmp.Diff(wantHead, gotHead); diff != "" {
		t.Errorf("head command mismatch (-want +got):\n%s", diff)
	}
	// Without a dashboard there is no GCS endpoint to probe.
	gotProbe := head.Spec.Containers[0].ReadinessProbe
	if diff := cmp.Diff(wantProbe(raylet, 10, 10), gotProbe); diff != "" {
		t.Errorf("head readiness probe mismatch (-want +got):\n%s", diff)
	}

	worker, err := BuildWorkerPod(c, "small", Options{})
	if err != nil {
		t.Fatalf("BuildWorkerPod() error = %v", err)
	}
	wantWorker := "ray start --address=demo-head-svc.ns.svc.cluster.local:6379 --block " +
		"--metrics-export-port=8080 --num-cpus=1"
	gotWorker := envValue(&worker.Spec.Containers[0], GeneratedCommandEnv)
	if diff := cmp.Diff(wantWorker, gotWorker); diff != "" {
		t.Errorf("worker command mismatch (-want +got):\n%s", diff)
	}
}

func TestPodLabels(t *testing.T) {
	cases := map[string]struct {
		cluster  *rayv1.RayCluster
		wantHead map[string]string
		wantWork map[string]string
	}{
		"the first three keys cannot be overridden, the others can": {
			cluster: makeCluster("demo").withHead(func(h *rayv1.HeadGroupSpec) {
				h.Template.Labels = pairs(ClusterLabel, "other", NodeTypeLabel, "worker",
					GroupLabel, "mine", IdentifierLabel, "custom", AppNameLabel, "myapp")
			}).withWorkers("small", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
				g.Template.Labels = pairs(ClusterLabel, "other", NodeTypeLabel, "head",
					GroupLabel, "headgroup", IsRayNodeLabel, "no")
			}).obj(),
			wantHead: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "head", GroupLabel: "headgroup",
				IdentifierLabel: "custom", IsRayNodeLabel: "yes", AppNameLabel: "myapp",
				CreatedByLabel: "kuberay-operator",
			},
			wantWork: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "worker", GroupLabel: "small",
				IdentifierLabel: "demo-worker", IsRayNodeLabel: "no", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator",
			},
		},
		"Ray node labels are added and win over template labels": {
			cluster: makeCluster("demo").withHead(func(h *rayv1.HeadGroupSpec) {
				h.Labels = pairs("zone", "a", GroupLabel, "sneaky")
				h.Template.Labels = pairs("zone", "template")
			}).withWorkers("small", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
				g.Labels = pairs("accelerator", "a100")
			}).obj(),
			wantHead: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "head", GroupLabel: "headgroup",
				IdentifierLabel: "demo-head", IsRayNodeLabel: "yes", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator", "zone": "a",
			},
			wantWork: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "worker", GroupLabel: "small",
				IdentifierLabel: "demo-worker", IsRayNodeLabel: "yes", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator", "accelerator": "a100",
			},
		},
		"serve label with the serve Service, unless the template says otherwise": {
			cluster: makeCluster("demo").withAnnotation(EnableServeServiceAnnotation, "true").
				withWorkers("small", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
				g.Template.Labels = pairs(ServeLabel, "false")
			}).obj(),
			wantHead: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "head", GroupLabel: "headgroup",
				IdentifierLabel: "demo-head", IsRayNodeLabel: "yes", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator", ServeLabel: "true",
			},
			wantWork: map[string]string{
				ClusterLabel: "demo", NodeTypeLabel: "worker", GroupLabel: "small",
				IdentifierLabel: "demo-worker", IsRayNodeLabel: "yes", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator", ServeLabel: "false",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			head, err := BuildHeadPod(tc.cluster, Options{})
			if err != nil {
				t.Fatalf("BuildHeadPod() error = %v", err)
			}
			if diff := cmp.Diff(tc.wantHead, head.Labels); diff != "" {
				t.Errorf("head labels mismatch (-want +got):\n%s", diff)
			}
			worker, err := BuildWorkerPod(tc.cluster, "small", Options{})
			if err != nil {
				t.Fatalf("BuildWorkerPod() error = %v", err)
			}
			if diff := cmp.Diff(tc.wantWork, worker.Labels); diff != "" {
				t.Errorf("worker labels mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeadContainerPorts(t *testing.T) {
	cases := map[string]struct {
		ports  []corev1.ContainerPort
		params map[string]string
		want   []corev1.ContainerPort
	}{
		"no ports: defaults follow the params": {
			params: pairs("port", "6380", "dashboard-port", "8266", "ray-client-server-port",
				"10002", "metrics-export-port", "9090"),
			want: []corev1.ContainerPort{
				{Name: "client", ContainerPort: 10002, Protocol: corev1.ProtocolTCP},
				{Name: "gcs-server", ContainerPort: 6380, Protocol: corev1.ProtocolTCP},
				{Name: "dashboard", ContainerPort: 8266, Protocol: corev1.ProtocolTCP},
				{Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP},
				{Name: "serve", ContainerPort: 8000, Protocol: corev1.ProtocolTCP},
			},
		},
		"no ports, invalid params fall back to the defaults": {
			params: pairs("port", "abc", "dashboard-port", "70000"),
			want: []corev1.ContainerPort{
				{Name: "client", ContainerPort: 10001, Protocol: corev1.ProtocolTCP},
				{Name: "gcs-server", ContainerPort: 6379, Protocol: corev1.ProtocolTCP},
				{Name: "dashboard", ContainerPort: 8265, Protocol: corev1.ProtocolTCP},
				{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
				{Name: "serve", ContainerPort: 8000, Protocol: corev1.ProtocolTCP},
			},
		},
		"no ports, colliding params are not duplicated": {
			params: pairs("metrics-export-port", "8265"),
			want: []corev1.ContainerPort{
				{Name: "client", ContainerPort: 10001, Protocol: corev1.ProtocolTCP},
				{Name: "gcs-server", ContainerPort: 6379, Protocol: corev1.ProtocolTCP},
				{Name: "dashboard", ContainerPort: 8265, Protocol: corev1.ProtocolTCP},
				{Name: "serve", ContainerPort: 8000, Protocol: corev1.ProtocolTCP},
			},
		},
		"user ports without metrics get metrics": {
			ports: []corev1.ContainerPort{{Name: "gcs", ContainerPort: 6379}},
			want: []corev1.ContainerPort{
				{Name: "gcs", ContainerPort: 6379},
				{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
			},
		},
		"a port named metrics is kept as it is": {
			ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9000}},
			want:  []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9000}},
		},
		"an unnamed 8080 is not doubled": {
			ports: []corev1.ContainerPort{{ContainerPort: 8080}},
			want:  []corev1.ContainerPort{{ContainerPort: 8080}},
		},
		"8080 over UDP is another port": {
			ports: []corev1.ContainerPort{{ContainerPort: 8080, Protocol: corev1.ProtocolUDP}},
			want: []corev1.ContainerPort{
				{ContainerPort: 8080, Protocol: corev1.ProtocolUDP},
				{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := headContainerPorts(tc.ports, tc.params)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("headContainerPorts() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRayContainerEnv(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		head    bool
		want    []corev1.EnvVar
	}{
		"user variables are kept, the generated command is always set": {
			cluster: makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
				ctr.Env = []corev1.EnvVar{
					{Name: "RAY_CLUSTER_NAME", Value: "mine"},
					{Name: GeneratedCommandEnv, Value: "stale"},
					{Name: "RAY_PORT", ValueFrom: &corev1.EnvVarSource{
						FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
				}
			}).obj(),
			head: true,
			want: []corev1.EnvVar{
				{Name: "RAY_CLUSTER_NAME", Value: "mine"},
				{Name: GeneratedCommandEnv, Value: "ray start --head --block " +
					"--dashboard-host=0.0.0.0 --metrics-export-port=8080"},
				{Name: "RAY_PORT", ValueFrom: &corev1.EnvVarSource{
					FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
				{Name: "RAY_CLUSTER_NAMESPACE", Value: "ns"},
				{Name: "RAY_ADDRESS", Value: "127.0.0.1:6379"},
				{Name: "RAY_USAGE_STATS_KUBERAY_IN_USE", Value: "1"},
			},
		},
		"autoscaler v2 identifies nodes": {
			cluster: func() *rayv1.RayCluster {
				c := makeCluster("demo").autoscaling().withHeadParams("port", "6390").obj()
				c.Spec.RayVersion = "2.47.1"
				return c
			}(),
			head: true,
			want: []corev1.EnvVar{
				{Name: GeneratedCommandEnv, Value: "ray start --head --block " +
					"--dashboard-host=0.0.0.0 --metrics-export-port=8080 --no-monitor --port=6390"},
				{Name: "RAY_CLUSTER_NAME", Value: "demo"},
				{Name: "RAY_CLUSTER_NAMESPACE", Value: "ns"},
				{Name: "RAY_ADDRESS", Value: "127.0.0.1:6390"},
				{Name: "RAY_PORT", Value: "6390"},
				{Name: "RAY_USAGE_STATS_KUBERAY_IN_USE", Value: "1"},
				{Name: "RAY_enable_autoscaler_v2", Value: "1"},
				{Name: "RAY_NODE_TYPE_NAME", Value: "headgroup"},
				{Name: "RAY_CLOUD_INSTANCE_ID", ValueFrom: &corev1.EnvVarSource{
					FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pod, err := BuildHeadPod(tc.cluster, Options{})
			if err != nil {
				t.Fatalf("BuildHeadPod() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, pod.Spec.Containers[0].Env); diff != "" {
				t.Errorf("env mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSharedMemory(t *testing.T) {
	userShm := corev1.Volume{Name: "dshm", VolumeSource: corev1.VolumeSource{
		EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}
	cases := map[string]struct {
		container   func(*corev1.Container)
		volumes     []corev1.Volume
		wantVolumes []corev1.Volume
		wantMounts  []corev1.VolumeMount
	}{
		"no memory limit: unsized": {
			container: func(*corev1.Container) {},
			wantVolumes: []corev1.Volume{{Name: "shared-mem", VolumeSource: corev1.VolumeSource{
				EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}},
			wantMounts: []corev1.VolumeMount{{Name: "shared-mem", MountPath: "/dev/shm"}},
		},
		"the user's /dev/shm is kept": {
			container: func(ctr *corev1.Container) {
				ctr.Resources.Limits = resources("memory", "1Gi")
				ctr.VolumeMounts = []corev1.VolumeMount{{Name: "dshm", MountPath: "/dev/shm"}}
			},
			volumes:     []corev1.Volume{userShm},
			wantVolumes: []corev1.Volume{userShm},
			wantMounts:  []corev1.VolumeMount{{Name: "dshm", MountPath: "/dev/shm"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := makeCluster("demo").withHeadContainer(tc.container).
				withHead(func(h *rayv1.HeadGroupSpec) { h.Template.Spec.Volumes = tc.volumes }).obj()
			pod, err := BuildHeadPod(c, Options{})
			if err != nil {
				t.Fatalf("BuildHeadPod() error = %v", err)
			}
			if diff := cmp.Diff(tc.wantVolumes, pod.Spec.Volumes); diff != "" {
				t.Errorf("volumes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantMounts, pod.Spec.Containers[0].VolumeMounts); diff != "" {
				t.Errorf("mounts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProbes(t *testing.T) {
	userProbe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}}
	cases := map[string]struct {
		cluster       *rayv1.RayCluster
		wantLiveness  *corev1.Probe
		wantReadiness *corev1.Probe
	}{
		"ports from params": {
			cluster: makeCluster("demo").withHeadParams("dashboard-port", "9000",
				"dashboard-agent-listen-port", "9001").obj(),
			wantLiveness: wantProbe("wget -T 2 -q -O- http://localhost:9001/api/local_raylet_healthz"+
				" | grep success && wget -T 2 -q -O- http://localhost:9000/api/gcs_healthz | grep success",
				30, 120),
			wantReadiness: wantProbe("wget -T 2 -q -O- http://localhost:9001/api/local_raylet_healthz"+
				" | grep success && wget -T 2 -q -O- http://localhost:9000/api/gcs_healthz | grep success",
				10, 10),
		},
		"a user probe is kept, the other one added": {
			cluster: makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
				ctr.ReadinessProbe = userProbe.DeepCopy()
			}).obj(),
			wantLiveness:  wantProbe(raylet+" && "+gcs, 30, 120),
			wantReadiness: userProbe,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pod, err := BuildHeadPod(tc.cluster, Options{})
			if err != nil {
				t.Fatalf("BuildHeadPod() error = %v", err)
			}
			ray := pod.Spec.Containers[0]
			if diff := cmp.Diff(tc.wantLiveness, ray.LivenessProbe); diff != "" {
				t.Errorf("liveness mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantReadiness, ray.ReadinessProbe); diff != "" {
				t.Errorf("readiness mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWorkerPodSpecDetails(t *testing.T) {
	cases := map[string]struct {
		cluster       *rayv1.RayCluster
		wantSubdomain string
		wantRestart   corev1.RestartPolicy
		wantInit      []string
	}{
		"single host": {
			cluster:     makeCluster("demo").withWorkers("small", 1).obj(),
			wantRestart: corev1.RestartPolicyAlways,
			wantInit:    []string{"wait-gcs-ready"},
		},
		"multi-host group uses the headless Service as subdomain": {
			cluster: makeCluster("demo").withWorkers("tpu", 1).
				withGroup(func(g *rayv1.WorkerGroupSpec) { g.NumOfHosts = 4 }).obj(),
			wantSubdomain: "demo-headless",
			wantRestart:   corev1.RestartPolicyAlways,
			wantInit:      []string{"wait-gcs-ready"},
		},
		"template choices are kept": {
			cluster: makeCluster("demo").withWorkers("tpu", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
				g.NumOfHosts = 2
				g.Template.Spec.Subdomain = "mine"
				g.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
				g.Template.Spec.InitContainers = []corev1.Container{{Name: "setup"},
					{Name: "wait-gcs-ready"}}
			}).obj(),
			wantSubdomain: "mine",
			wantRestart:   corev1.RestartPolicyOnFailure,
			wantInit:      []string{"setup", "wait-gcs-ready"},
		},
		"autoscaler v2 replaces pods instead of restarting containers": {
			cluster: func() *rayv1.RayCluster {
				c := makeCluster("demo").autoscaling().withWorkers("small", 1).obj()
				c.Spec.AutoscalerOptions = &rayv1.AutoscalerOptions{
					Version: ptr.To(rayv1.AutoscalerVersion("v2"))}
				return c
			}(),
			wantRestart: corev1.RestartPolicyNever,
			wantInit:    []string{"wait-gcs-ready"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := tc.cluster.Spec.WorkerGroupSpecs[0].GroupName
			pod, err := BuildWorkerPod(tc.cluster, g, Options{})
			if err != nil {
				t.Fatalf("BuildWorkerPod() error = %v", err)
			}
			if diff := cmp.Diff(tc.wantSubdomain, pod.Spec.Subdomain); diff != "" {
				t.Errorf("subdomain mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRestart, pod.Spec.RestartPolicy); diff != "" {
				t.Errorf("restart policy mismatch (-want +got):\n%s", diff)
			}
			var init []string
			for _, ctr := range pod.Spec.InitContainers {
				init = append(init, ctr.Name)
			}
			if diff := cmp.Diff(tc.wantInit, init); diff != "" {
				t.Errorf("init containers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildPodErrors(t *testing.T) {
	noHeadContainers := makeCluster("demo").withWorkers("small", 1).withHead(
		func(h *rayv1.HeadGroupSpec) { h.Template.Spec.Containers = nil }).obj()
	noWorkerContainers := makeCluster("demo").withWorkers("small", 1).withGroup(
		func(g *rayv1.WorkerGroupSpec) { g.Template.Spec.Containers = nil }).obj()
	cases := map[string]struct {
		build   func() error
		wantErr string
	}{
		"head without containers": {
			build: func() error { _, err := BuildHeadPod(noHeadContainers, Options{}); return err },
			wantErr: "spec.headGroupSpec.template.spec.containers is empty: " +
				"the first container runs Ray",
		},
		"head Service without head containers": {
			build:   func() error { _, err := BuildHeadService(noHeadContainers, Options{}); return err },
			wantErr: "spec.headGroupSpec.template.spec.containers is empty",
		},
		"worker without containers": {
			build: func() error {
				_, err := BuildWorkerPod(noWorkerContainers, "small", Options{})
				return err
			},
			wantErr: "spec.workerGroupSpecs[0].template.spec.containers is empty: " +
				"the first container runs Ray",
		},
		"unknown group": {
			build: func() error {
				_, err := BuildWorkerPod(noWorkerContainers, "big", Options{})
				return err
			},
			wantErr: `worker group "big" is not in spec.workerGroupSpecs`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.build()
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("error = %v, want one starting with %q", err, tc.wantErr)
			}
		})
	}
}

// TestBuildersDoNotMutate builds every object from a cluster that uses every option and checks
// that the cluster is unchanged.
func TestBuildersDoNotMutate(t *testing.T) {
	c := makeCluster("demo").autoscaling().withAnnotation(EnableServeServiceAnnotation, "true").
		withHeadParams("num-cpus", "1", "resources", `'{"a": 1}'`).
		withHead(func(h *rayv1.HeadGroupSpec) {
			h.Resources = pairs("b", "2")
			h.Labels = pairs("zone", "a")
			h.EnableIngress = ptr.To(true)
			h.HeadService = &corev1.Service{Spec: corev1.ServiceSpec{
				Ports: []corev1.ServicePort{{Name: "x", Port: 1}}}}
			h.Template.Labels = pairs("team", "ml")
		}).
		withHeadContainer(func(ctr *corev1.Container) {
			ctr.Ports = make([]corev1.ContainerPort, 1, 10)
			ctr.Ports[0] = corev1.ContainerPort{ContainerPort: 6379}
			ctr.Env = make([]corev1.EnvVar, 0, 10)
			ctr.Resources.Limits = resources("cpu", "1", "memory", "1Gi")
		}).
		withWorkers("small", 2).withGroup(func(g *rayv1.WorkerGroupSpec) { g.NumOfHosts = 2 }).
		withWorkerContainer(func(ctr *corev1.Container) {
			ctr.Command = []string{"echo"}
			ctr.VolumeMounts = make([]corev1.VolumeMount, 0, 10)
		}).obj()
	c.Spec.AutoscalerOptions = &rayv1.AutoscalerOptions{Env: []corev1.EnvVar{{Name: "A", Value: "1"}}}
	before := c.DeepCopy()
	head, _ := BuildHeadPod(c, Options{})
	worker, _ := BuildWorkerPod(c, "small", Options{})
	_, _ = BuildHeadService(c, Options{})
	_ = BuildHeadlessService(c, Options{})
	_ = BuildServeService(c, Options{})
	_ = BuildIngress(c, Options{})
	_ = BuildServiceAccount(c, Options{})
	_ = BuildRole(c, Options{})
	_ = BuildRoleBinding(c, Options{})
	_, _ = ValidateRayStartParams(c)
	_ = ValidateSpec(c)
	// Change what the builders returned: nothing may be shared with the cluster.
	head.Labels["team"] = "changed"
	head.Spec.Containers[0].Ports[0].Name = "changed"
	worker.Spec.Containers[0].Command[0] = "changed"
	if diff := cmp.Diff(before, c); diff != "" {
		t.Errorf("cluster changed (-before +after):\n%s", diff)
	}
	// Appending to a template's slice must not write into its spare capacity either.
	ports := c.Spec.HeadGroupSpec.Template.Spec.Containers[0].Ports
	for i, p := range ports[len(ports):cap(ports)] {
		if p != (corev1.ContainerPort{}) {
			t.Errorf("spare capacity of the head's ports written at %d: %+v", len(ports)+i, p)
		}
	}
}
