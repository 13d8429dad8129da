package raypod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func TestValidateRayStartParams(t *testing.T) {
	withMemoryRequest := func(q string) func(*corev1.Container) {
		return func(ctr *corev1.Container) { ctr.Resources.Requests = resources("memory", q) }
	}
	cases := map[string]struct {
		cluster      *rayv1.RayCluster
		wantProblems []string
		wantWarnings []string
	}{
		"clean": {
			cluster: makeCluster("demo").withHeadParams("num-cpus", "0", "port", "6379",
				"include-dashboard", "False", "log-color", "auto", "node-manager-port", "0").
				withWorkers("small", 1).withWorkerParams("block", "true", "address", "x:1").obj(),
		},
		"object store larger than the memory request (known case 15)": {
			cluster: makeCluster("demo").withHeadParams("object-store-memory", "3000000000").
				withHeadContainer(withMemoryRequest("2Gi")).obj(),
			wantProblems: []string{`group "headgroup": rayStartParams "object-store-memory" ` +
				`(3000000000 bytes) is larger than the Ray container's memory request ` +
				`(2Gi, 2147483648 bytes)`},
		},
		"object store too large but slow storage allowed (known case 15)": {
			cluster: makeCluster("demo").withHeadParams("object-store-memory", "3000000000").
				withHeadContainer(func(ctr *corev1.Container) {
					withMemoryRequest("2Gi")(ctr)
					ctr.Env = []corev1.EnvVar{{Name: AllowSlowStorageEnv, Value: "1"}}
				}).obj(),
			wantWarnings: []string{`group "headgroup": rayStartParams "object-store-memory" ` +
				`(3000000000 bytes) is larger than the Ray container's memory request ` +
				`(2Gi, 2147483648 bytes); RAY_OBJECT_STORE_ALLOW_SLOW_STORAGE lets Ray keep ` +
				`the excess on disk, slowly`},
		},
		"object store not a number (known case 15)": {
			cluster: makeCluster("demo").withHeadParams("object-store-memory", "abc").
				withHeadContainer(withMemoryRequest("2Gi")).obj(),
			wantProblems: []string{`group "headgroup": rayStartParams "object-store-memory" ` +
				`is "abc", not a non-negative integer`},
		},
		"slow storage set to 0 does not count; the limit stands in for a missing request": {
			cluster: makeCluster("demo").withWorkers("small", 1).
				withWorkerParams("object-store-memory", "2000").
				withWorkerContainer(func(ctr *corev1.Container) {
					ctr.Resources.Limits = resources("memory", "1Ki")
					ctr.Env = []corev1.EnvVar{{Name: AllowSlowStorageEnv, Value: "0"}}
				}).obj(),
			wantProblems: []string{`group "small": rayStartParams "object-store-memory" ` +
				`(2000 bytes) is larger than the Ray container's memory request (1Ki, 1024 bytes)`},
		},
		"object store that fits": {
			cluster: makeCluster("demo").withHeadParams("object-store-memory", "1000000000").
				withHeadContainer(withMemoryRequest("2Gi")).obj(),
		},
		"numbers": {
			cluster: makeCluster("demo").withHeadParams("num-cpus", "1.5", "num-gpus", "-1",
				"memory", "4Gi", "port", "70000", "dashboard-port", " 8265").obj(),
			wantProblems: []string{
				`group "headgroup": rayStartParams "dashboard-port" is " 8265", ` +
					`not a port number (0 to 65535)`,
				`group "headgroup": rayStartParams "memory" is "4Gi", not a non-negative integer`,
				`group "headgroup": rayStartParams "num-cpus" is "1.5", not a non-negative integer`,
				`group "headgroup": rayStartParams "num-gpus" is "-1", not a non-negative integer`,
				`group "headgroup": rayStartParams "port" is "70000", not a port number (0 to 65535)`,
			},
		},
		"booleans and log-color": {
			cluster: makeCluster("demo").withWorkers("small", 1).withWorkerParams("block", "yes",
				"include-dashboard", "1", "log-color", "maybe", "disable-usage-stats", "TRUE").obj(),
			wantProblems: []string{
				`group "small": rayStartParams "block" is "yes", not true or false`,
				`group "small": rayStartParams "include-dashboard" is "1", not true or false`,
				`group "small": rayStartParams "log-color" is "maybe", not auto, true or false`,
			},
		},
		"address on the head, head anywhere": {
			cluster: makeCluster("demo").withHeadParams("address", "x:6379", "head", "true").
				withWorkers("small", 1).withWorkerParams("head", "maybe").obj(),
			wantProblems: []string{
				`group "headgroup": rayStartParams "address" is set on the head, which must ` +
					`start its own GCS instead of joining another`,
				`group "small": rayStartParams "head" is "maybe", not true or false`,
			},
			wantWarnings: []string{
				`group "headgroup": rayStartParams "head" is ignored: the operator decides ` +
					`which pod is the head`,
				`group "small": rayStartParams "head" is ignored: the operator decides ` +
					`which pod is the head`,
			},
		},
		"ports asked twice": {
			cluster: makeCluster("demo").withHeadParams("metrics-export-port", "6379",
				"dashboard-agent-grpc-port", "9000", "node-manager-port", "9000").
				withWorkers("small", 1).withWorkerParams("metrics-export-port", "52365",
				"port", "52365").obj(),
			wantProblems: []string{
				`group "headgroup": rayStartParams "dashboard-agent-grpc-port" and ` +
					`"node-manager-port" both ask for port 9000`,
				`group "headgroup": rayStartParams "metrics-export-port" and "port" (by default) ` +
					`both ask for port 6379`,
				`group "small": rayStartParams "dashboard-agent-listen-port" (by default) and ` +
					`"metrics-export-port" both ask for port 52365`,
			},
		},
		"worker port range upside down": {
			cluster: makeCluster("demo").withHeadParams("min-worker-port", "20000",
				"max-worker-port", "10002").obj(),
			wantProblems: []string{`group "headgroup": rayStartParams "min-worker-port" ` +
				`(20000) is greater than "max-worker-port" (10002)`},
		},
		"autoscaler with another GCS port": {
			cluster: makeCluster("demo").autoscaling().withHeadParams("port", "6380").obj(),
			wantWarnings: []string{`group "headgroup": rayStartParams "port" is 6380, but the ` +
				`Ray autoscaler only finds the GCS on port 6379`},
		},
		"group without containers": {
			cluster: makeCluster("demo").withWorkers("small", 1).
				withWorkerParams("object-store-memory", "5").
				withGroup(func(g *rayv1.WorkerGroupSpec) { g.Template.Spec.Containers = nil }).obj(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			problems, warnings := ValidateRayStartParams(tc.cluster)
			if diff := cmp.Diff(tc.wantProblems, problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWarnings, warnings); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
