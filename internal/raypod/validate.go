package raypod

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// countParams must be non-negative integers: `ray start` reads them as whole numbers (memory
// sizes in bytes).
var countParams = []string{"memory", "num-cpus", "num-gpus", "object-store-memory"}

// portParams must be non-negative integers no larger than 65535 (0 lets Ray pick a free port).
var portParams = []string{
	"dashboard-agent-grpc-port", "dashboard-agent-listen-port", "dashboard-grpc-port",
	"dashboard-port", "gcs-server-port", "max-worker-port", "metrics-export-port",
	"min-worker-port", "node-manager-port", "object-manager-port", "port",
	"ray-client-server-port", "runtime-env-agent-port",
}

// boolParams must be "true" or "false" (in any case): the operator turns them into a bare flag,
// a dropped flag or --key=value, and any other value would reach `ray start` unchecked.
var boolParams = []string{
	"block", "disable-usage-stats", "enable-resource-isolation", "head", "include-dashboard",
	"include-log-monitor", "no-monitor", "no-redirect-output", "ray-debugger-external",
}

// listeningPorts are the port parameters each node listens on, with the port Ray uses when the
// parameter is absent (0: no fixed default), for the head and for workers. Two of them on the
// same port keep a Ray process from starting.
var (
	headListeningPorts = map[string]int64{
		"port":                        DefaultGCSPort,
		"dashboard-port":              DefaultDashboardPort,
		"ray-client-server-port":      DefaultClientPort,
		"metrics-export-port":         DefaultMetricsPort,
		"dashboard-agent-listen-port": DefaultDashboardAgentPort,
		"dashboard-agent-grpc-port":   0,
		"node-manager-port":           0,
		"object-manager-port":         0,
		"runtime-env-agent-port":      0,
	}
	workerListeningPorts = map[string]int64{
		"metrics-export-port":         DefaultMetricsPort,
		"dashboard-agent-listen-port": DefaultDashboardAgentPort,
		"dashboard-agent-grpc-port":   0,
		"node-manager-port":           0,
		"object-manager-port":         0,
		"runtime-env-agent-port":      0,
	}
)

// autoscalerGCSPort is where the Ray autoscaler looks for the GCS, whatever the head's port.
const autoscalerGCSPort = DefaultGCSPort

// ValidateRayStartParams checks the rayStartParams of the head and every worker group and
// returns one message per problem, naming the parameter and the group. Problems make the cluster
// unhealthy; warnings are only reported. The checks: numeric parameters that are not
// non-negative integers (ports also at most 65535); boolean flags that are not true or false;
// log-color not auto, true or false; object-store-memory larger than the Ray container's memory
// request (a warning when the container sets RAY_OBJECT_STORE_ALLOW_SLOW_STORAGE); address on
// the head; two parameters asking for the same port; min-worker-port above max-worker-port.
// Warnings: a head key, which the operator ignores, and a head port other than 6379 with
// autoscaling, as the autoscaler always looks for the GCS on 6379.
func ValidateRayStartParams(c *rayv1.RayCluster) (problems, warnings []string) {
	h := &c.Spec.HeadGroupSpec
	p, w := checkGroupParams(HeadGroupName, true, h.RayStartParams, rayContainer(&h.Template))
	problems, warnings = append(problems, p...), append(warnings, w...)
	if AutoscalingEnabled(c) && gcsPort(c) != autoscalerGCSPort {
		warnings = append(warnings, fmt.Sprintf("group %q: rayStartParams \"port\" is %d, but "+
			"the Ray autoscaler only finds the GCS on port %d", HeadGroupName, gcsPort(c),
			autoscalerGCSPort))
	}
	for i := range c.Spec.WorkerGroupSpecs {
		g := &c.Spec.WorkerGroupSpecs[i]
		p, w := checkGroupParams(g.GroupName, false, g.RayStartParams, rayContainer(&g.Template))
		problems, warnings = append(problems, p...), append(warnings, w...)
	}
	return problems, warnings
}

func rayContainer(t *corev1.PodTemplateSpec) *corev1.Container {
	if len(t.Spec.Containers) == 0 {
		return nil
	}
	return &t.Spec.Containers[0]
}

// checkGroupParams runs every check on one group's parameters, in a stable order: per parameter
// in key order, then the checks that relate parameters to each other or to the container.
func checkGroupParams(group string, head bool, params map[string]string,
	ctr *corev1.Container) (problems, warnings []string) {
	for _, key := range slices.Sorted(maps.Keys(params)) {
		problem, warning := checkParam(key, params[key], head)
		if problem != "" {
			problems = append(problems, fmt.Sprintf("group %q: %s", group, problem))
		}
		if warning != "" {
			warnings = append(warnings, fmt.Sprintf("group %q: %s", group, warning))
		}
	}
	for _, p := range portConflicts(params, head) {
		problems = append(problems, fmt.Sprintf("group %q: %s", group, p))
	}
	if p := workerPortRange(params); p != "" {
		problems = append(problems, fmt.Sprintf("group %q: %s", group, p))
	}
	if p, w := objectStoreFits(params, ctr); p != "" {
		problems = append(problems, fmt.Sprintf("group %q: %s", group, p))
	} else if w != "" {
		warnings = append(warnings, fmt.Sprintf("group %q: %s", group, w))
	}
	return problems, warnings
}

// checkParam checks one parameter on its own.
func checkParam(key, value string, head bool) (problem, warning string) {
	problem = checkValue(key, value)
	if problem == "" && key == "address" && head {
		problem = "rayStartParams \"address\" is set on the head, which must start its own " +
			"GCS instead of joining another"
	}
	if key == "head" {
		warning = "rayStartParams \"head\" is ignored: the operator decides which pod is the head"
	}
	return problem, warning
}

// checkValue checks the value of a parameter against the kind of value it takes.
func checkValue(key, value string) string {
	switch {
	case slices.Contains(countParams, key):
		if _, ok := parseCount(value); !ok {
			return fmt.Sprintf("rayStartParams %q is %q, not a non-negative integer", key, value)
		}
	case slices.Contains(portParams, key):
		if n, ok := parseCount(value); !ok || n > 65535 {
			return fmt.Sprintf("rayStartParams %q is %q, not a port number (0 to 65535)",
				key, value)
		}
	case key == "log-color":
		if !slices.Contains([]string{"auto", "true", "false"}, strings.ToLower(value)) {
			return fmt.Sprintf("rayStartParams \"log-color\" is %q, not auto, true or false", value)
		}
	case slices.Contains(boolParams, key) && !isBool(value):
		return fmt.Sprintf("rayStartParams %q is %q, not true or false", key, value)
	}
	return ""
}

// parseCount reads a non-negative integer written with digits only.
func parseCount(v string) (uint64, bool) {
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

func isBool(v string) bool {
	return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
}

// portConflicts reports pairs of listening-port parameters that ask for the same port. Absent
// parameters count with Ray's default, so that moving one process onto another's default port
// is caught; pairs of two defaults never collide.
func portConflicts(params map[string]string, head bool) []string {
	listening := workerListeningPorts
	if head {
		listening = headListeningPorts
	}
	type owner struct {
		key      string
		explicit bool
	}
	taken := map[uint64]owner{}
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(listening)) {
		port, explicit := uint64(listening[key]), false
		if v, ok := params[key]; ok {
			n, valid := parseCount(v)
			if !valid {
				continue // reported by checkParam
			}
			port, explicit = n, true
		}
		if port == 0 {
			continue
		}
		if prev, ok := taken[port]; ok {
			problems = append(problems, fmt.Sprintf("rayStartParams %s and %s both ask for port %d",
				describePortParam(prev.key, prev.explicit), describePortParam(key, explicit), port))
			continue
		}
		taken[port] = owner{key, explicit}
	}
	return problems
}

func describePortParam(key string, explicit bool) string {
	if explicit {
		return strconv.Quote(key)
	}
	return strconv.Quote(key) + " (by default)"
}

// workerPortRange reports a range of worker ports that is empty.
func workerPortRange(params map[string]string) string {
	lo, okLo := parseCount(params["min-worker-port"])
	hi, okHi := parseCount(params["max-worker-port"])
	if !okLo || !okHi || lo == 0 || hi == 0 || lo <= hi {
		return ""
	}
	return fmt.Sprintf("rayStartParams \"min-worker-port\" (%d) is greater than "+
		"\"max-worker-port\" (%d)", lo, hi)
}

// objectStoreFits compares object-store-memory with the Ray container's memory request (its
// limit when it has no request, as Kubernetes then requests the limit). A larger object store
// does not fit in the memory the pod is sure to get; with RAY_OBJECT_STORE_ALLOW_SLOW_STORAGE
// the user has accepted that Ray keeps objects on slower storage, so that case is a warning.
func objectStoreFits(params map[string]string, ctr *corev1.Container) (problem, warning string) {
	size, ok := parseCount(params["object-store-memory"])
	if !ok || ctr == nil {
		return "", ""
	}
	q, found := ctr.Resources.Requests[corev1.ResourceMemory]
	if !found {
		q, found = ctr.Resources.Limits[corev1.ResourceMemory]
	}
	if !found || size <= uint64(max(q.Value(), 0)) {
		return "", ""
	}
	msg := fmt.Sprintf("rayStartParams \"object-store-memory\" (%d bytes) is larger than the "+
		"Ray container's memory request (%s, %d bytes)", size, q.String(), q.Value())
	if allowsSlowStorage(ctr) {
		return "", msg + "; " + AllowSlowStorageEnv + " lets Ray keep the excess on disk, slowly"
	}
	return msg, ""
}

// allowsSlowStorage reports whether the container sets RAY_OBJECT_STORE_ALLOW_SLOW_STORAGE to
// something other than empty, 0 or false. A value read from elsewhere counts as set.
func allowsSlowStorage(ctr *corev1.Container) bool {
	for _, e := range ctr.Env {
		if e.Name != AllowSlowStorageEnv {
			continue
		}
		if e.ValueFrom != nil {
			return true
		}
		v := strings.TrimSpace(e.Value)
		return v != "" && v != "0" && !strings.EqualFold(v, "false")
	}
	return false
}
