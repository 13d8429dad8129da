package convert_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/raypod"
)

var opts = convert.Options{ManagedBy: "kuberay-apiserver"}

func resources(cpu, memory string, extra ...string) corev1.ResourceRequirements {
	list := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
		corev1.ResourceMemory: resource.MustParse(memory)}
	for i := 0; i+1 < len(extra); i += 2 {
		list[corev1.ResourceName(extra[i])] = resource.MustParse(extra[i+1])
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

// TestClusterToRayCluster checks the RayCluster of a cluster with every kind of field: labels,
// annotations, the Ray containers with their ports, resources, environment, volumes and security
// context, tolerations, and the autoscaler.
func TestClusterToRayCluster(t *testing.T) {
	c := makeCluster().with(func(c *apiv1.Cluster) {
		c.Environment = apiv1.Cluster_PRODUCTION
		c.Annotations = map[string]string{"team": "ml"}
		c.Envs = &apiv1.EnvironmentVariables{Values: map[string]string{"SHARED": "1", "A": "x"}}
		c.ClusterSpec.EnableInTreeAutoscaling = true
		c.ClusterSpec.AutoscalerOptions = &apiv1.AutoscalerOptions{IdleTimeoutSeconds: 60,
			UpscalingMode: "Default", Cpu: "500m", Memory: "512Mi"}
		c.ClusterSpec.HeadServiceAnnotations = map[string]string{"lb": "internal"}
	}).head(func(h *apiv1.HeadGroupSpec) {
		h.ServiceType = "NodePort"
		h.ImagePullPolicy = "IfNotPresent"
		h.Labels = map[string]string{"tier": "head"}
		h.Annotations = map[string]string{"note": "n"}
		h.SecurityContext = &apiv1.SecurityContext{
			Capabilities: &apiv1.Capabilities{Add: []string{"SYS_PTRACE"}}}
	}).worker(func(w *apiv1.WorkerGroupSpec) {
		w.ComputeTemplate = "gpu"
		w.Image = "example.com/ray:custom"
		w.Environment = &apiv1.EnvironmentVariables{
			Values: map[string]string{"A": "own"},
			ValuesFrom: map[string]*apiv1.EnvValueFrom{"TOKEN": {
				Source: apiv1.EnvValueFrom_SECRET, Name: "creds", Key: "token"}}}
		w.Volumes = []*apiv1.Volume{{Name: "data", MountPath: "/data", Source: "data-pvc",
			ReadOnly: true}}
		w.ServiceAccount = "ray-worker"
		w.ImagePullSecret = "registry"
	}).obj()

	got, err := convert.ClusterToRayCluster(c, templates(smallTemplate(), gpuTemplate()), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := &rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "ns",
			Labels: map[string]string{"ray.io/user": "jane", "ray.io/version": "2.9.0",
				"ray.io/environment":           "PRODUCTION",
				"app.kubernetes.io/managed-by": "kuberay-apiserver"},
			Annotations: map[string]string{"team": "ml"}},
		Spec: rayv1.RayClusterSpec{
			RayVersion:              "2.9.0",
			EnableInTreeAutoscaling: ptr.To(true),
			AutoscalerOptions: &rayv1.AutoscalerOptions{IdleTimeoutSeconds: ptr.To[int32](60),
				UpscalingMode: ptr.To(rayv1.UpscalingMode("Default")),
				Resources:     ptr.To(resources("500m", "512Mi"))},
			HeadServiceAnnotations: map[string]string{"lb": "internal"},
			HeadGroupSpec: rayv1.HeadGroupSpec{
				ServiceType:    corev1.ServiceTypeNodePort,
				RayStartParams: map[string]string{"dashboard-host": "0.0.0.0"},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "head"},
						Annotations: map[string]string{"note": "n",
							"ray.io/compute-template": "small",
							"ray.io/compute-image":    "rayproject/ray:2.9.0"}},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{
						Name: "ray-head", Image: "rayproject/ray:2.9.0",
						ImagePullPolicy: corev1.PullIfNotPresent,
						Ports: []corev1.ContainerPort{
							{Name: "redis", ContainerPort: 6379, Protocol: corev1.ProtocolTCP},
							{Name: "head", ContainerPort: 10001, Protocol: corev1.ProtocolTCP},
							{Name: "dashboard", ContainerPort: 8265, Protocol: corev1.ProtocolTCP},
							{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
						Env: []corev1.EnvVar{{Name: "A", Value: "x"},
							{Name: "SHARED", Value: "1"}},
						Resources: resources("2", "4Gi"),
						SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{
							Add: []corev1.Capability{"SYS_PTRACE"}}},
					}}},
				},
			},
			WorkerGroupSpecs: []rayv1.WorkerGroupSpec{{
				GroupName: "small-group", Replicas: ptr.To[int32](1),
				MinReplicas: ptr.To[int32](0), MaxReplicas: ptr.To[int32](5), NumOfHosts: 1,
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
						"ray.io/compute-template": "gpu",
						"ray.io/compute-image":    "example.com/ray:custom"}},
					Spec: corev1.PodSpec{
						Containers: []corev1.Container{{
							Name: "ray-worker", Image: "example.com/ray:custom",
							Env: []corev1.EnvVar{{Name: "A", Value: "own"},
								{Name: "SHARED", Value: "1"},
								{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{
									SecretKeyRef: secretKey("creds", "token")}}},
							Resources: resources("500m", "1536Mi", "nvidia.com/gpu", "1",
								"vpc.amazonaws.com/efa", "2"),
							VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data",
								ReadOnly: true}},
						}},
						Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
							PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
								ClaimName: "data-pvc", ReadOnly: true}}}},
						Tolerations: []corev1.Toleration{{Key: "nvidia.com/gpu",
							Operator: corev1.TolerationOpExists,
							Effect:   corev1.TaintEffectNoSchedule}},
						NodeSelector: map[string]string{
							"example.com/accelerator": "nvidia-t4"},
						ServiceAccountName: "ray-worker",
						ImagePullSecrets:   []corev1.LocalObjectReference{{Name: "registry"}},
					},
				},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RayCluster (-want +got):\n%s", diff)
	}
	if err := raypod.ValidateSpec(got); err != nil {
		t.Errorf("the operator refuses the RayCluster: %v", err)
	}
}

func secretKey(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name},
		Key: key}
}

func containers(name, image string, r corev1.ResourceRequirements) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: name, Image: image, Resources: r}}}}
}

// TestClusterRoundTrip converts clusters to RayClusters and back and expects what went in, with
// the default image filled in where none was given.
func TestClusterRoundTrip(t *testing.T) {
	cases := map[string]*apiv1.Cluster{
		"minimal": makeCluster().obj(),
		"no workers": makeCluster().with(func(c *apiv1.Cluster) {
			c.ClusterSpec.WorkerGroupSpec = nil
		}).obj(),
		"every field": makeCluster().with(func(c *apiv1.Cluster) {
			c.Environment = apiv1.Cluster_STAGING
			c.Annotations = map[string]string{"a": "b"}
			c.ClusterSpec.EnableInTreeAutoscaling = true
			c.ClusterSpec.AutoscalerOptions = &apiv1.AutoscalerOptions{IdleTimeoutSeconds: 30,
				UpscalingMode: "Aggressive", Image: "img", ImagePullPolicy: "Always",
				Cpu: "1", Memory: "1Gi", Envs: &apiv1.EnvironmentVariables{
					Values: map[string]string{"X": "1"}}}
			c.ClusterSpec.HeadServiceAnnotations = map[string]string{"s": "t"}
		}).head(func(h *apiv1.HeadGroupSpec) {
			h.Image, h.ServiceType, h.EnableIngress = "img:1", "LoadBalancer", true
			h.ImagePullPolicy, h.ServiceAccount, h.ImagePullSecret = "Always", "sa", "pull"
			h.Labels, h.Annotations = map[string]string{"l": "v"}, map[string]string{"a": "v"}
			h.Environment = &apiv1.EnvironmentVariables{
				Values: map[string]string{"V": "1"},
				ValuesFrom: map[string]*apiv1.EnvValueFrom{
					"CM":  {Source: apiv1.EnvValueFrom_CONFIGMAP, Name: "cm", Key: "k"},
					"RES": {Source: apiv1.EnvValueFrom_RESOURCEFIELD, Key: "limits.cpu"},
					"IP":  {Source: apiv1.EnvValueFrom_FIELD, Key: "status.podIP"}}}
			h.SecurityContext = &apiv1.SecurityContext{Privileged: true,
				Capabilities: &apiv1.Capabilities{Add: []string{"SYS_PTRACE"},
					Drop: []string{"NET_RAW"}}}
			h.Volumes = everyVolume()
		}).worker(func(w *apiv1.WorkerGroupSpec) {
			w.MinReplicas, w.Replicas, w.MaxReplicas = 1, 2, 3
			w.RayStartParams = map[string]string{"num-cpus": "1"}
		}).obj(),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			rc, err := convert.ClusterToRayCluster(in, templates(smallTemplate()), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := convert.RayClusterToCluster(rc)
			if diff := cmp.Diff(withDefaultImages(in), got, protocmp.Transform()); diff != "" {
				t.Errorf("cluster after a round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// withDefaultImages is a copy of c in which every group without an image has the default one.
func withDefaultImages(c *apiv1.Cluster) *apiv1.Cluster {
	out := proto.Clone(c).(*apiv1.Cluster)
	def := "rayproject/ray:" + c.Version
	if h := out.ClusterSpec.HeadGroupSpec; h.Image == "" {
		h.Image = def
	}
	for _, w := range out.ClusterSpec.WorkerGroupSpec {
		if w.Image == "" {
			w.Image = def
		}
	}
	return out
}

// everyVolume is one volume of each type, with the options of each.
func everyVolume() []*apiv1.Volume {
	return []*apiv1.Volume{
		{Name: "pvc", MountPath: "/pvc", Source: "claim", ReadOnly: true},
		{Name: "host", MountPath: "/host", VolumeType: apiv1.Volume_HOST_PATH, Source: "/var/x",
			HostPathType:         apiv1.Volume_FILE,
			MountPropagationMode: apiv1.Volume_HOSTTOCONTAINER},
		{Name: "eph", MountPath: "/eph", VolumeType: apiv1.Volume_EPHEMERAL, Storage: "10Gi",
			StorageClassName: "fast", AccessMode: apiv1.Volume_RWX},
		{Name: "cm", MountPath: "/cm", VolumeType: apiv1.Volume_CONFIGMAP, Source: "config",
			Items: map[string]string{"a": "a.txt"}},
		{Name: "secret", MountPath: "/secret", VolumeType: apiv1.Volume_SECRET, Source: "s"},
		{Name: "scratch", MountPath: "/tmp/scratch", VolumeType: apiv1.Volume_EMPTY_DIR,
			Storage: "1Gi"},
	}
}

// TestRayClusterToClusterOfKubectl reads a RayCluster written by hand: what can be derived is,
// the rest is empty, and the state and endpoints are copied from the status.
func TestRayClusterToClusterOfKubectl(t *testing.T) {
	created := metav1.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rc := &rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "raycluster-kuberay", Namespace: "default",
			CreationTimestamp: created,
			Annotations: map[string]string{
				"kubectl.kubernetes.io/last-applied-configuration": "{...}"}},
		Spec: rayv1.RayClusterSpec{
			RayVersion: "2.41.0",
			HeadGroupSpec: rayv1.HeadGroupSpec{
				RayStartParams: map[string]string{},
				Template: containers("ray-head", "rayproject/ray:2.41.0",
					resources("1", "2G")),
			},
			WorkerGroupSpecs: []rayv1.WorkerGroupSpec{{GroupName: "workergroup",
				Replicas: ptr.To[int32](1), MinReplicas: ptr.To[int32](1),
				MaxReplicas: ptr.To[int32](5),
				Template: containers("ray-worker", "rayproject/ray:2.41.0",
					corev1.ResourceRequirements{})}},
		},
		Status: rayv1.RayClusterStatus{State: rayv1.Ready,
			Endpoints: map[string]string{"client": "10001", "dashboard": "8265"}},
	}
	want := &apiv1.Cluster{
		Name: "raycluster-kuberay", Namespace: "default", Version: "2.41.0",
		CreatedAt:       timestamppb.New(created.Time),
		ClusterState:    "ready",
		ServiceEndpoint: map[string]string{"client": "10001", "dashboard": "8265"},
		ClusterSpec: &apiv1.ClusterSpec{
			HeadGroupSpec: &apiv1.HeadGroupSpec{Image: "rayproject/ray:2.41.0"},
			WorkerGroupSpec: []*apiv1.WorkerGroupSpec{{GroupName: "workergroup",
				Image: "rayproject/ray:2.41.0", Replicas: 1, MinReplicas: 1, MaxReplicas: 5}},
		},
	}
	if diff := cmp.Diff(want, convert.RayClusterToCluster(rc), protocmp.Transform()); diff != "" {
		t.Errorf("cluster (-want +got):\n%s", diff)
	}
}

// TestNodeSelectorOfTemplates checks that every group's pods get the node selector of the
// group's own compute template, and none when the template has none.
func TestNodeSelectorOfTemplates(t *testing.T) {
	onT4 := map[string]string{"example.com/accelerator": "nvidia-t4"}
	onCPU := map[string]string{"example.com/pool": "cpu", "kubernetes.io/arch": "amd64"}
	cpuPool := smallTemplate()
	cpuPool.NodeSelector = onCPU
	cases := map[string]struct {
		head, worker string // the groups' templates
		all          map[string]*apiv1.ComputeTemplate
		wantHead     map[string]string
		wantWorker   map[string]string
	}{
		"no template with a selector": {head: "small", worker: "small",
			all: templates(smallTemplate())},
		"the worker's template only": {head: "small", worker: "gpu",
			all: templates(smallTemplate(), gpuTemplate()), wantWorker: onT4},
		"the head's template only": {head: "gpu", worker: "small",
			all: templates(smallTemplate(), gpuTemplate()), wantHead: onT4},
		"one template for both": {head: "small", worker: "small",
			all: templates(cpuPool), wantHead: onCPU, wantWorker: onCPU},
		"each its own": {head: "small", worker: "gpu",
			all: templates(cpuPool, gpuTemplate()), wantHead: onCPU, wantWorker: onT4},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := makeCluster().head(func(h *apiv1.HeadGroupSpec) { h.ComputeTemplate = tc.head }).
				worker(func(w *apiv1.WorkerGroupSpec) { w.ComputeTemplate = tc.worker }).obj()
			rc, err := convert.ClusterToRayCluster(c, tc.all, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantHead,
				rc.Spec.HeadGroupSpec.Template.Spec.NodeSelector); diff != "" {
				t.Errorf("head nodeSelector (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWorker,
				rc.Spec.WorkerGroupSpecs[0].Template.Spec.NodeSelector); diff != "" {
				t.Errorf("worker nodeSelector (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClusterToRayClusterNeedsTemplates refuses a cluster whose template was not given.
func TestClusterToRayClusterNeedsTemplates(t *testing.T) {
	_, err := convert.ClusterToRayCluster(makeCluster().obj(), templates(gpuTemplate()), opts)
	if err == nil || !strings.Contains(err.Error(), `compute template "small"`) {
		t.Errorf("error = %v, want one naming template small", err)
	}
}
