package raypod

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Default ports of the Ray processes, used when rayStartParams do not choose others.
const (
	DefaultGCSPort            = 6379
	DefaultDashboardPort      = 8265
	DefaultClientPort         = 10001
	DefaultMetricsPort        = 8080
	DefaultServePort          = 8000
	DefaultDashboardAgentPort = 52365
)

// alwaysValued are the flags that take an explicit true/false: `ray start` reads them as
// options with a value, so dropping "false" would turn the feature back on.
var alwaysValued = map[string]bool{
	"log-color":           true,
	"include-dashboard":   true,
	"include-log-monitor": true,
}

// RenderRayStart renders the `ray start` command line from effective rayStartParams. Keys are
// sorted so that the command is stable; "true" gives a bare --key, "false" drops the flag
// (except log-color, include-dashboard and include-log-monitor, which always render
// --key=value), and any other value gives --key=value, verbatim, so shell quoting written in
// the manifest reaches the shell. A "head" key is ignored: which pod is the head is the
// operator's decision, expressed by the head argument.
func RenderRayStart(params map[string]string, head bool) string {
	words := []string{"ray", "start"}
	if head {
		words = append(words, "--head")
	}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		if key == "head" {
			continue
		}
		if flag := renderFlag(key, params[key]); flag != "" {
			words = append(words, flag)
		}
	}
	return strings.Join(words, " ")
}

func renderFlag(key, value string) string {
	if !alwaysValued[key] {
		switch {
		case strings.EqualFold(value, "true"):
			return "--" + key
		case strings.EqualFold(value, "false"):
			return ""
		}
	}
	return "--" + key + "=" + value
}

// headStartParams are the effective rayStartParams of the head: the user's, with the
// operator's defaults where absent and the values derived from the Ray container.
func headStartParams(c *rayv1.RayCluster, ctr *corev1.Container) map[string]string {
	h := &c.Spec.HeadGroupSpec
	params := cloneParams(h.RayStartParams)
	setIfAbsent(params, "dashboard-host", "0.0.0.0")
	setIfAbsent(params, "metrics-export-port", strconv.Itoa(DefaultMetricsPort))
	if AutoscalingEnabled(c) {
		// The autoscaler runs in its own container; a second one inside the head would fight it.
		setIfAbsent(params, "no-monitor", "true")
	}
	addRedisCredentialParams(c, params)
	finishParams(params, ctr, h.Resources, h.Labels)
	return params
}

// workerStartParams are the effective rayStartParams of a worker of group g.
func workerStartParams(c *rayv1.RayCluster, g *rayv1.WorkerGroupSpec, ctr *corev1.Container,
	opts Options) map[string]string {
	params := cloneParams(g.RayStartParams)
	setIfAbsent(params, "address", headAddress(c, opts))
	setIfAbsent(params, "metrics-export-port", strconv.Itoa(DefaultMetricsPort))
	finishParams(params, ctr, g.Resources, g.Labels)
	return params
}

// finishParams adds what every group gets: block, the container's resources, and the group's
// Ray resources and labels, which take precedence over rayStartParams.
func finishParams(params map[string]string, ctr *corev1.Container,
	rayResources, rayLabels map[string]string) {
	// Without --block `ray start` returns at once and the container exits.
	params["block"] = "true"
	addContainerResources(params, ctr)
	applyRayResources(params, rayResources)
	applyRayLabels(params, rayLabels)
}

// headAddress is the GCS address workers connect to.
func headAddress(c *rayv1.RayCluster, opts Options) string {
	return HeadServiceFQDN(c, opts) + ":" + strconv.Itoa(int(gcsPort(c)))
}

// gcsPort is the port of the head's GCS: the head's `port` parameter, or 6379.
func gcsPort(c *rayv1.RayCluster) int32 {
	return portParam(c.Spec.HeadGroupSpec.RayStartParams, "port", DefaultGCSPort)
}

// portParam reads a port parameter, falling back to def when it is absent or not a valid
// port; ValidateRayStartParams reports invalid values.
func portParam(params map[string]string, key string, def int32) int32 {
	v, ok := params[key]
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return def
	}
	return int32(n)
}

// addContainerResources sets num-cpus (CPU limit, else request, rounded up), memory (memory
// limit in bytes) and num-gpus (the sum of limits whose resource name ends in "gpu"), each only
// when the user did not set it and the container has a non-zero value.
func addContainerResources(params map[string]string, ctr *corev1.Container) {
	limits, requests := ctr.Resources.Limits, ctr.Resources.Requests
	if _, ok := params["num-cpus"]; !ok {
		q, found := limits[corev1.ResourceCPU]
		if !found {
			q, found = requests[corev1.ResourceCPU]
		}
		if found && !q.IsZero() {
			params["num-cpus"] = strconv.FormatInt(q.Value(), 10)
		}
	}
	if _, ok := params["memory"]; !ok {
		if q, found := limits[corev1.ResourceMemory]; found && !q.IsZero() {
			params["memory"] = strconv.FormatInt(q.Value(), 10)
		}
	}
	if _, ok := params["num-gpus"]; !ok {
		if n := gpuCount(limits); n > 0 {
			params["num-gpus"] = strconv.FormatInt(n, 10)
		}
	}
}

func gpuCount(list corev1.ResourceList) int64 {
	var n int64
	for name, q := range list {
		if strings.HasSuffix(strings.ToLower(string(name)), "gpu") {
			n += q.Value()
		}
	}
	return n
}

// applyRayResources maps a group's Ray logical resources onto rayStartParams: CPU, GPU and
// memory become --num-cpus, --num-gpus and --memory (Ray refuses them inside --resources);
// every other resource goes into the --resources JSON object, merged over the one given in
// rayStartParams when that one can be read.
func applyRayResources(params map[string]string, rayResources map[string]string) {
	custom := map[string]any{}
	for name, v := range rayResources {
		switch name {
		case "CPU":
			params["num-cpus"] = wholeQuantity(v)
		case "GPU":
			params["num-gpus"] = wholeQuantity(v)
		case "memory":
			params["memory"] = wholeQuantity(v)
		default:
			custom[name] = resourceAmount(v)
		}
	}
	if len(custom) == 0 {
		return
	}
	merged := map[string]any{}
	if prev, ok := params["resources"]; ok {
		// A value that is not a JSON object is replaced rather than failing the pod.
		_ = json.Unmarshal([]byte(unquoteShell(prev)), &merged)
	}
	maps.Copy(merged, custom)
	out, _ := json.Marshal(merged) // a map of strings to numbers and strings always marshals
	params["resources"] = shellQuote(string(out))
}

// wholeQuantity turns "500m" or "4Gi" into the whole number `ray start` expects (rounded up);
// a value that is not a quantity is kept for Ray to report.
func wholeQuantity(v string) string {
	q, err := resource.ParseQuantity(strings.TrimSpace(v))
	if err != nil {
		return v
	}
	return strconv.FormatInt(q.Value(), 10)
}

// resourceAmount is the JSON value of a custom resource: a number when the value is one (plain
// or a Kubernetes quantity), else the string, which Ray then refuses with its own message.
func resourceAmount(v string) any {
	v = strings.TrimSpace(v)
	if _, err := strconv.ParseFloat(v, 64); err == nil && json.Valid([]byte(v)) {
		return json.Number(v)
	}
	if q, err := resource.ParseQuantity(v); err == nil {
		return json.Number(strconv.FormatFloat(q.AsApproximateFloat64(), 'f', -1, 64))
	}
	return v
}

// applyRayLabels renders a group's Ray node labels as --labels, in Ray's comma-separated
// key=value form sorted by key, merged over a --labels value of rayStartParams.
func applyRayLabels(params map[string]string, rayLabels map[string]string) {
	if len(rayLabels) == 0 {
		return
	}
	merged := parseRayLabels(params["labels"])
	maps.Copy(merged, rayLabels)
	pairs := make([]string, 0, len(merged))
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		pairs = append(pairs, k+"="+merged[k])
	}
	params["labels"] = shellQuote(strings.Join(pairs, ","))
}

// parseRayLabels reads "k1=v1,k2=v2", ignoring malformed entries.
func parseRayLabels(s string) map[string]string {
	labels := map[string]string{}
	for _, pair := range strings.Split(unquoteShell(s), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && k != "" {
			labels[k] = v
		}
	}
	return labels
}

// unquoteShell removes one level of the quoting users write around JSON in rayStartParams
// ('{"a": 1}' or "{\"a\": 1}"), so that the operator can read the value.
func unquoteShell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return s
	}
	switch {
	case s[0] == '\'' && s[len(s)-1] == '\'':
		return s[1 : len(s)-1]
	case s[0] == '"' && s[len(s)-1] == '"':
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}

// shellQuote quotes s for bash unless it is made only of characters bash leaves alone.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, needsQuoting) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func needsQuoting(r rune) bool {
	plain := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-_./=,:@%+", r)
	return !plain
}

func cloneParams(params map[string]string) map[string]string {
	out := maps.Clone(params)
	if out == nil {
		out = map[string]string{}
	}
	return out
}

func setIfAbsent(m map[string]string, key, value string) {
	if _, ok := m[key]; !ok {
		m[key] = value
	}
}
