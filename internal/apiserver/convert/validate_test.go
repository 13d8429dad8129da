package convert_test

import (
	"strings"
	"testing"

	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestValidateCluster checks that every rule of the contract refuses its input with a message
// naming the field, and that a valid cluster passes.
func TestValidateCluster(t *testing.T) {
	const w0 = "clusterSpec.workerGroupSpec[0]."
	const head = "clusterSpec.headGroupSpec."
	cases := map[string]struct {
		cluster *apiv1.Cluster
		want    []string // the messages, in order; each is matched as a prefix
	}{
		"valid": {cluster: makeCluster().obj()},
		"missing name, namespace and user": {
			cluster: cluster(func(c *apiv1.Cluster) { c.Name, c.Namespace, c.User = "", "", "" }),
			want: []string{"name: Required value", "namespace: Required value",
				"user: Required value"},
		},
		"namespace differs from the path": {
			cluster: cluster(func(c *apiv1.Cluster) { c.Namespace = "other" }),
			want: []string{
				`namespace: Invalid value: "other": must be the namespace of the request, "ns"`},
		},
		"name not a DNS-1035 label": {
			cluster: cluster(func(c *apiv1.Cluster) { c.Name = "1demo.x" }),
			want:    []string{`name: Invalid value: "1demo.x": a DNS-1035 label`},
		},
		"name too long": {
			cluster: cluster(func(c *apiv1.Cluster) { c.Name = strings.Repeat("a", 54) }),
			want:    []string{"name: Too long: may not be more than 53"},
		},
		"unknown environment": {
			cluster: cluster(func(c *apiv1.Cluster) { c.Environment = 7 }),
			want: []string{`environment: Unsupported value: 7: supported values: "0 (DEV)", ` +
				`"1 (TESTING)", "2 (STAGING)", "3 (PRODUCTION)"`},
		},
		"missing clusterSpec": {
			cluster: cluster(func(c *apiv1.Cluster) { c.ClusterSpec = nil }),
			want:    []string{"clusterSpec: Required value"},
		},
		"missing headGroupSpec": {
			cluster: cluster(func(c *apiv1.Cluster) { c.ClusterSpec.HeadGroupSpec = nil }),
			want:    []string{"clusterSpec.headGroupSpec: Required value"},
		},
		"empty head computeTemplate": {
			cluster: headOf(func(h *apiv1.HeadGroupSpec) { h.ComputeTemplate = "" }),
			want:    []string{head + "computeTemplate: Required value"},
		},
		"empty groupName and computeTemplate": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) {
				w.GroupName, w.ComputeTemplate = "", ""
			}),
			want: []string{w0 + "groupName: Required value",
				w0 + "computeTemplate: Required value"},
		},
		"duplicate group names": {
			cluster: cluster(func(c *apiv1.Cluster) {
				c.ClusterSpec.WorkerGroupSpec = append(c.ClusterSpec.WorkerGroupSpec,
					&apiv1.WorkerGroupSpec{GroupName: "small-group", ComputeTemplate: "small",
						MaxReplicas: 1})
			}),
			want: []string{
				`clusterSpec.workerGroupSpec[1].groupName: Duplicate value: "small-group"`},
		},
		"maxReplicas 0": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.MaxReplicas = 0 }),
			want:    []string{w0 + "maxReplicas: Invalid value: 0: must be greater than 0"},
		},
		"minReplicas above maxReplicas": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.MinReplicas = 6 }),
			want: []string{
				w0 + "minReplicas: Invalid value: 6: must not be greater than maxReplicas (5)"},
		},
		"replicas above maxReplicas": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.Replicas, w.MaxReplicas = 12, 5 }),
			want: []string{
				w0 + "replicas: Invalid value: 12: must not be greater than maxReplicas (5)"},
		},
		"replicas below minReplicas": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.Replicas, w.MinReplicas = 1, 2 }),
			want: []string{
				w0 + "replicas: Invalid value: 1: must not be less than minReplicas (2)"},
		},
		"replicas within the bounds": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) {
				w.MinReplicas, w.Replicas, w.MaxReplicas = 2, 2, 2
			}),
		},
		"negative replicas": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.Replicas = -1 }),
			want:    []string{w0 + "replicas: Invalid value: -1: must not be negative"},
		},
		"negative minReplicas": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.MinReplicas = -3 }),
			want:    []string{w0 + "minReplicas: Invalid value: -3: must not be negative"},
		},
		"negative maxReplicas": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.Replicas, w.MaxReplicas = 0, -1 }),
			want: []string{w0 + "maxReplicas: Invalid value: -1: must not be negative",
				w0 + "minReplicas: Invalid value: 0: must not be greater than maxReplicas (-1)"},
		},
		"negative idleTimeoutSeconds": {
			cluster: cluster(func(c *apiv1.Cluster) {
				c.ClusterSpec.AutoscalerOptions = &apiv1.AutoscalerOptions{IdleTimeoutSeconds: -60}
			}),
			want: []string{
				"clusterSpec.autoscalerOptions.idleTimeoutSeconds: Invalid value: -60: " +
					"must not be negative"},
		},
		"computeTemplate that cannot name a template": {
			cluster: headOf(func(h *apiv1.HeadGroupSpec) { h.ComputeTemplate = "Bad_Template" }),
			want: []string{head + `computeTemplate: Invalid value: "Bad_Template": ` +
				"a lowercase RFC 1123 subdomain"},
		},
		"unknown environment variable source": {
			cluster: cluster(func(c *apiv1.Cluster) {
				c.Envs = &apiv1.EnvironmentVariables{ValuesFrom: map[string]*apiv1.EnvValueFrom{
					"X": {Source: 4, Name: "n", Key: "k"}}}
			}),
			want: []string{`envs.valuesFrom[X].source: Unsupported value: 4: supported values: ` +
				`"0 (CONFIGMAP)", "1 (SECRET)", "2 (RESOURCEFIELD)", "3 (FIELD)"`},
		},
		"unknown access mode and propagation": {
			cluster: headOf(func(h *apiv1.HeadGroupSpec) {
				h.Volumes = []*apiv1.Volume{{Name: "v", MountPath: "/v", Source: "pvc",
					AccessMode: 3, MountPropagationMode: -1}}
			}),
			want: []string{head + "volumes[0].mountPropagationMode: Unsupported value: -1: " +
				`supported values: "0 (NONE)", "1 (HOSTTOCONTAINER)", "2 (BIDIRECTIONAL)"`,
				head + "volumes[0].accessMode: Unsupported value: 3: " +
					`supported values: "0 (RWO)", "1 (ROX)", "2 (RWX)"`},
		},
		"imagePullPolicy Never": {
			cluster: headOf(func(h *apiv1.HeadGroupSpec) { h.ImagePullPolicy = "Never" }),
			want:    []string{head + `imagePullPolicy: Unsupported value: "Never"`},
		},
		"serviceType unknown": {
			cluster: headOf(func(h *apiv1.HeadGroupSpec) { h.ServiceType = "External" }),
			want:    []string{head + `serviceType: Unsupported value: "External"`},
		},
		"group named headgroup": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) { w.GroupName = "headgroup" }),
			want:    []string{w0 + `groupName: Invalid value: "headgroup": is reserved`},
		},
		"user not a label value": {
			cluster: cluster(func(c *apiv1.Cluster) { c.User = "jane doe" }),
			want:    []string{`user: Invalid value: "jane doe"`},
		},
		"bad environment variable": {
			cluster: cluster(func(c *apiv1.Cluster) {
				c.Envs = &apiv1.EnvironmentVariables{Values: map[string]string{"1X": "v"}}
			}),
			want: []string{`envs.values[1X]: Invalid value: "1X"`},
		},
		"volume without mount path and of unknown type": {
			cluster: headOf(func(h *apiv1.HeadGroupSpec) {
				h.Volumes = []*apiv1.Volume{{Name: "v", VolumeType: 9}}
			}),
			want: []string{head + "volumes[0].mountPath: Required value",
				head + "volumes[0].volumeType: Unsupported value: 9"},
		},
		"bad label on a group": {
			cluster: worker(func(w *apiv1.WorkerGroupSpec) {
				w.Labels = map[string]string{"bad key!": "v"}
			}),
			want: []string{w0 + `labels: Invalid value: "bad key!"`},
		},
		"autoscaler with a bad quantity": {
			cluster: cluster(func(c *apiv1.Cluster) {
				c.ClusterSpec.AutoscalerOptions = &apiv1.AutoscalerOptions{Cpu: "lots"}
			}),
			want: []string{`clusterSpec.autoscalerOptions.cpu: Invalid value: "lots"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			errs := convert.ValidateCluster(tc.cluster, "ns")
			got := make([]string, 0, len(errs))
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors = %q, want %d matching %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("error %d = %q, want it to start with %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestValidateComputeTemplate checks the rules of templates.
func TestValidateComputeTemplate(t *testing.T) {
	cases := map[string]struct {
		template *apiv1.ComputeTemplate
		want     []string
	}{
		"valid":           {template: smallTemplate()},
		"valid with GPUs": {template: gpuTemplate()},
		"missing name": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Name = "" }),
			want:     []string{"name: Required value"},
		},
		"cpu and memory not positive": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Cpu, t.Memory = 0, -1 }),
			want: []string{"cpu: Invalid value: 0: must be positive",
				"memory: Invalid value: -1: must be positive"},
		},
		"memory unit unknown": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.MemoryUnit = "GB" }),
			want:     []string{`memoryUnit: Unsupported value: "GB"`},
		},
		"namespace differs": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Namespace = "x" }),
			want:     []string{`namespace: Invalid value: "x"`},
		},
		"accelerator without a domain": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.GpuAccelerator = "gpu" }),
			want:     []string{`gpuAccelerator: Invalid value: "gpu": must have a domain prefix`},
		},
		"toleration with a bad effect": {
			template: tweak(func(t *apiv1.ComputeTemplate) {
				t.Tolerations = []*apiv1.PodToleration{{Key: "k", Effect: "Never"}}
			}),
			want: []string{`tolerations[0].effect: Unsupported value: "Never"`},
		},
		"memory too large": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Memory, t.MemoryUnit = 2000, "P" }),
			want:     []string{"memory: Invalid value: 2000: must be at most 1Ei"},
		},
		"memory far too large": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Memory = 1e300 }),
			want:     []string{"memory: Invalid value: 1e+300: must be at most 1Ei"},
		},
		"memory less than a byte": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Memory, t.MemoryUnit = 0.0001, "Ki" }),
			want:     []string{"memory: Invalid value: 0.0001: must be at least one byte"},
		},
		"memory in decimal kilobytes": {
			template: tweak(func(t *apiv1.ComputeTemplate) { t.Memory, t.MemoryUnit = 1.5, "K" }),
		},
		"extended resource that is the GPU resource": {
			template: tweak(func(t *apiv1.ComputeTemplate) {
				t.Gpu, t.ExtendedResources = 1, map[string]uint32{"nvidia.com/gpu": 2}
			}),
			want: []string{"extendedResources[nvidia.com/gpu]: Invalid value: 2: " +
				"is the GPU resource, whose amount gpu (1) already gives"},
		},
		"extended resource that is the named accelerator": {
			template: tweak(func(t *apiv1.ComputeTemplate) {
				t.Gpu, t.GpuAccelerator = 2, "amd.com/gpu"
				t.ExtendedResources = map[string]uint32{"amd.com/gpu": 1, "nvidia.com/gpu": 1}
			}),
			want: []string{"extendedResources[amd.com/gpu]: Invalid value: 1: " +
				"is the GPU resource, whose amount gpu (2) already gives"},
		},
		"GPUs only as an extended resource": {
			template: tweak(func(t *apiv1.ComputeTemplate) {
				t.ExtendedResources = map[string]uint32{"nvidia.com/gpu": 2}
			}),
		},
		"node selector with a bad key": {
			template: tweak(func(t *apiv1.ComputeTemplate) {
				t.NodeSelector = map[string]string{"bad key!": "v"}
			}),
			want: []string{`nodeSelector: Invalid value: "bad key!": name part must consist of`},
		},
		"node selector with a bad value": {
			template: tweak(func(t *apiv1.ComputeTemplate) {
				t.NodeSelector = map[string]string{"example.com/pool": "not a value!"}
			}),
			want: []string{
				`nodeSelector[example.com/pool]: Invalid value: "not a value!": a valid label`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range convert.ValidateComputeTemplate(tc.template, "ns") {
				got = append(got, e.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors = %q, want %d matching %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("error %d = %q, want it to start with %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// tweak is smallTemplate changed by mutate.
func tweak(mutate func(t *apiv1.ComputeTemplate)) *apiv1.ComputeTemplate {
	t := smallTemplate()
	mutate(t)
	return t
}

// cluster is makeCluster changed by mutate.
func cluster(mutate func(c *apiv1.Cluster)) *apiv1.Cluster {
	return makeCluster().with(mutate).obj()
}

// worker is makeCluster with its worker group changed by mutate.
func worker(mutate func(w *apiv1.WorkerGroupSpec)) *apiv1.Cluster {
	return makeCluster().worker(mutate).obj()
}

// headOf is makeCluster with its head changed by mutate.
func headOf(mutate func(h *apiv1.HeadGroupSpec)) *apiv1.Cluster {
	return makeCluster().head(mutate).obj()
}
