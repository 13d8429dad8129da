package raypod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func TestRenderRayStart(t *testing.T) {
	cases := map[string]struct {
		params map[string]string
		head   bool
		want   string
	}{
		"head with no params": {
			head: true,
			want: "ray start --head",
		},
		"keys sorted, values verbatim": {
			params: pairs("num-cpus", "4", "dashboard-host", "0.0.0.0", "address", "h:6379"),
			want:   "ray start --address=h:6379 --dashboard-host=0.0.0.0 --num-cpus=4",
		},
		"true is a bare flag, false drops it": {
			params: pairs("block", "true", "disable-usage-stats", "false", "no-monitor", "True"),
			want:   "ray start --block --no-monitor",
		},
		"log-color, include-dashboard and include-log-monitor keep their value": {
			params: pairs("log-color", "true", "include-dashboard", "false",
				"include-log-monitor", "false"),
			head: true,
			want: "ray start --head --include-dashboard=false --include-log-monitor=false " +
				"--log-color=true",
		},
		"a head key is ignored on the head": {
			params: pairs("head", "true", "block", "true"),
			head:   true,
			want:   "ray start --head --block",
		},
		"a head key never makes a worker a head": {
			params: pairs("head", "true"),
			want:   "ray start",
		},
		"shell quoting written by the user is kept": {
			params: pairs("resources", `'"{\"Custom\": 1}"'`),
			want:   `ray start --resources='"{\"Custom\": 1}"'`,
		},
		"empty value": {
			params: pairs("temp-dir", ""),
			want:   "ray start --temp-dir=",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, RenderRayStart(tc.params, tc.head)); diff != "" {
				t.Errorf("RenderRayStart() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeadStartParams(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		want    map[string]string
	}{
		"defaults": {
			cluster: makeCluster("demo").obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true"),
		},
		"user values win over defaults, block is forced": {
			cluster: makeCluster("demo").withHeadParams("dashboard-host", "127.0.0.1",
				"metrics-export-port", "9090", "block", "false").obj(),
			want: pairs("dashboard-host", "127.0.0.1", "metrics-export-port", "9090",
				"block", "true"),
		},
		"autoscaling adds no-monitor": {
			cluster: makeCluster("demo").autoscaling().obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "no-monitor", "true"),
		},
		"autoscaling keeps the user's no-monitor": {
			cluster: makeCluster("demo").autoscaling().withHeadParams("no-monitor", "false").obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "no-monitor", "false"),
		},
		"resources from limits, rounded up": {
			cluster: makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
				ctr.Resources.Limits = resources("cpu", "1500m", "memory", "2Gi",
					"nvidia.com/gpu", "2")
				ctr.Resources.Requests = resources("cpu", "1", "memory", "1Gi")
			}).obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "num-cpus", "2", "memory", "2147483648", "num-gpus", "2"),
		},
		"cpu from the request when there is no limit; no memory without a limit": {
			cluster: makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
				ctr.Resources.Requests = resources("cpu", "3", "memory", "1Gi")
			}).obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "num-cpus", "3"),
		},
		"user resource params win over the container": {
			cluster: makeCluster("demo").withHeadParams("num-cpus", "0", "memory", "100",
				"num-gpus", "0").withHeadContainer(func(ctr *corev1.Container) {
				ctr.Resources.Limits = resources("cpu", "4", "memory", "1Gi", "amd.com/gpu", "1")
			}).obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "num-cpus", "0", "memory", "100", "num-gpus", "0"),
		},
		"group resources win over params and go to --resources": {
			cluster: makeCluster("demo").withHeadParams("num-cpus", "4",
				"resources", `'{"a": 1, "b": 2}'`).withHead(func(h *rayv1.HeadGroupSpec) {
				h.Resources = pairs("CPU", "0", "GPU", "1", "memory", "1Gi", "b", "0.5", "TPU", "4")
			}).obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "num-cpus", "0", "num-gpus", "1", "memory", "1073741824",
				"resources", `'{"TPU":4,"a":1,"b":0.5}'`),
		},
		"unreadable --resources is replaced by the group's": {
			cluster: makeCluster("demo").withHeadParams("resources", "oops").
				withHead(func(h *rayv1.HeadGroupSpec) { h.Resources = pairs("x", "1Ki") }).obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "resources", `'{"x":1024}'`),
		},
		"group labels merged over --labels": {
			cluster: makeCluster("demo").withHeadParams("labels", `"zone=a,tier=x"`).
				withHead(func(h *rayv1.HeadGroupSpec) { h.Labels = pairs("zone", "b", "gpu", "a100") }).
				obj(),
			want: pairs("dashboard-host", "0.0.0.0", "metrics-export-port", "8080",
				"block", "true", "labels", "gpu=a100,tier=x,zone=b"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := &tc.cluster.Spec.HeadGroupSpec
			got := headStartParams(tc.cluster, &h.Template.Spec.Containers[0])
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("headStartParams() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWorkerStartParams(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		opts    Options
		want    map[string]string
	}{
		"defaults": {
			cluster: makeCluster("demo").withWorkers("small", 1).obj(),
			want: pairs("address", "demo-head-svc.ns.svc.cluster.local:6379",
				"metrics-export-port", "8080", "block", "true"),
		},
		"head port, custom head Service name and cluster domain": {
			cluster: makeCluster("demo").withHeadParams("port", "6380").
				withHead(func(h *rayv1.HeadGroupSpec) {
					h.HeadService = &corev1.Service{}
					h.HeadService.Name = "my-head"
				}).withWorkers("small", 1).obj(),
			opts: Options{ClusterDomain: "corp.example"},
			want: pairs("address", "my-head.ns.svc.corp.example:6380",
				"metrics-export-port", "8080", "block", "true"),
		},
		"user address kept": {
			cluster: makeCluster("demo").withWorkers("small", 1).
				withWorkerParams("address", "elsewhere:6379").obj(),
			want: pairs("address", "elsewhere:6379", "metrics-export-port", "8080",
				"block", "true"),
		},
		"CPU limit 500m gives one CPU (known case 16)": {
			cluster: makeCluster("demo").withWorkers("small", 1).
				withWorkerContainer(func(ctr *corev1.Container) {
					ctr.Resources.Limits = resources("cpu", "500m")
				}).obj(),
			want: pairs("address", "demo-head-svc.ns.svc.cluster.local:6379",
				"metrics-export-port", "8080", "block", "true", "num-cpus", "1"),
		},
		"no-monitor is for the head only": {
			cluster: makeCluster("demo").autoscaling().withWorkers("small", 1).obj(),
			want: pairs("address", "demo-head-svc.ns.svc.cluster.local:6379",
				"metrics-export-port", "8080", "block", "true"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := &tc.cluster.Spec.WorkerGroupSpecs[0]
			got := workerStartParams(tc.cluster, g, &g.Template.Spec.Containers[0], tc.opts)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("workerStartParams() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetRayCommand(t *testing.T) {
	const rayStart = "ray start --head --block"
	cases := map[string]struct {
		overwrite   bool
		command     []string
		args        []string
		wantCommand []string
		wantArgs    []string
	}{
		"no user command": {
			wantCommand: []string{"/bin/bash", "-lc", "--"},
			wantArgs:    []string{"ulimit -n 65536; ray start --head --block"},
		},
		"user command runs first": {
			command:     []string{"pip", "install"},
			args:        []string{"numpy"},
			wantCommand: []string{"/bin/bash", "-lc", "--"},
			wantArgs:    []string{"ulimit -n 65536; pip install numpy && ray start --head --block"},
		},
		"a shell wrapper is unwrapped to its script": {
			command:     []string{"/bin/bash", "-c", "--"},
			args:        []string{"echo hello; sleep 1"},
			wantCommand: []string{"/bin/bash", "-lc", "--"},
			wantArgs:    []string{"ulimit -n 65536; echo hello; sleep 1 && ray start --head --block"},
		},
		"a login shell with separate flags": {
			command:     []string{"sh", "-l", "-c", "echo hi"},
			wantCommand: []string{"/bin/bash", "-lc", "--"},
			wantArgs:    []string{"ulimit -n 65536; echo hi && ray start --head --block"},
		},
		"a script file is not a shell wrapper": {
			command:     []string{"bash", "setup.sh"},
			wantCommand: []string{"/bin/bash", "-lc", "--"},
			wantArgs:    []string{"ulimit -n 65536; bash setup.sh && ray start --head --block"},
		},
		"a user command that starts Ray is kept": {
			command:     []string{"/bin/bash", "-lc", "--"},
			args:        []string{"ray start --head --num-cpus=1 --block"},
			wantCommand: []string{"/bin/bash", "-lc", "--"},
			wantArgs:    []string{"ulimit -n 65536; ray start --head --num-cpus=1 --block"},
		},
		"overwrite annotation leaves the command alone": {
			overwrite:   true,
			command:     []string{"/entrypoint.sh"},
			args:        []string{"--flag"},
			wantCommand: []string{"/entrypoint.sh"},
			wantArgs:    []string{"--flag"},
		},
		"overwrite annotation without a command": {
			overwrite: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := makeCluster("demo")
			if tc.overwrite {
				b.withAnnotation(OverwriteContainerCmdAnnotation, "true")
			}
			ctr := &corev1.Container{Command: tc.command, Args: tc.args,
				Env: []corev1.EnvVar{{Name: GeneratedCommandEnv, Value: "stale"}}}
			setRayCommand(b.obj(), ctr, rayStart)
			if diff := cmp.Diff(tc.wantCommand, ctr.Command); diff != "" {
				t.Errorf("command mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantArgs, ctr.Args); diff != "" {
				t.Errorf("args mismatch (-want +got):\n%s", diff)
			}
			wantEnv := []corev1.EnvVar{{Name: GeneratedCommandEnv, Value: rayStart}}
			if diff := cmp.Diff(wantEnv, ctr.Env); diff != "" {
				t.Errorf("env mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	cases := map[string]struct {
		in, want string
	}{
		"safe":         {in: "zone=a,ray.io/x=y", want: "zone=a,ray.io/x=y"},
		"json":         {in: `{"a":1}`, want: `'{"a":1}'`},
		"single quote": {in: "it's", want: `'it'\''s'`},
		"space":        {in: "a b", want: "'a b'"},
		"empty":        {in: "", want: "''"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, shellQuote(tc.in)); diff != "" {
				t.Errorf("shellQuote() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
