package raypod

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Environment variables the operator sets or reads on Ray containers.
const (
	// GeneratedCommandEnv holds the generated `ray start` command, also when the user's command
	// is kept, so that a custom entrypoint can run it.
	GeneratedCommandEnv = "KUBERAY_GEN_RAY_START_CMD"
	// AllowSlowStorageEnv lets Ray place an object store larger than the pod's memory on disk.
	AllowSlowStorageEnv = "RAY_OBJECT_STORE_ALLOW_SLOW_STORAGE"
)

const (
	sharedMemoryVolume = "shared-mem"
	sharedMemoryPath   = "/dev/shm"
	// openFilesLimit is raised before ray start: Ray opens a socket per worker process and
	// container runtimes often default to 1024.
	openFilesLimit = 65536
)

// bashCommand runs a script through a login shell, so that images that set up their
// environment in profile scripts (conda, for example) find `ray` on the PATH.
var bashCommand = []string{"/bin/bash", "-lc", "--"}

// setRayCommand makes the container run rayStart. A user command that does not start Ray itself
// runs first; one that does is kept as the script; with the overwrite annotation the container's
// command is left alone. The generated command is always exported in GeneratedCommandEnv.
func setRayCommand(c *rayv1.RayCluster, ctr *corev1.Container, rayStart string) {
	setEnv(ctr, corev1.EnvVar{Name: GeneratedCommandEnv, Value: rayStart})
	if c.Annotations[OverwriteContainerCmdAnnotation] == "true" {
		return
	}

	script := rayStart
	switch user := userScript(ctr.Command, ctr.Args); {
	case user == "":
	case strings.Contains(user, "ray start"):
		script = user
	default:
		script = user + " && " + rayStart
	}
	ctr.Command = slices.Clone(bashCommand)
	ctr.Args = []string{fmt.Sprintf("ulimit -n %d; %s", openFilesLimit, script)}
}

// userScript is the shell text of the user's command: command and args joined by spaces, except
// that a shell invocation such as ["/bin/bash", "-c", "--"] is unwrapped to the script it runs,
// because it is about to be run inside the operator's own shell.
func userScript(command, args []string) string {
	words := append(slices.Clone(command), args...)
	if len(command) > 0 && isShell(command[0]) {
		for i := 1; i < len(words); i++ {
			w := words[i]
			if !strings.HasPrefix(w, "-") {
				break
			}
			if !strings.HasPrefix(w, "--") && strings.Contains(w, "c") {
				rest := words[i+1:]
				if len(rest) > 0 && rest[0] == "--" {
					rest = rest[1:]
				}
				words = rest
				break
			}
		}
	}
	return strings.TrimSpace(strings.Join(words, " "))
}

func isShell(path string) bool {
	base := path[strings.LastIndex(path, "/")+1:]
	return base == "sh" || base == "bash" || base == "zsh" || base == "dash"
}

// rayEnv are the variables every Ray container gets when it does not set them itself.
func rayEnv(c *rayv1.RayCluster, groupName string, head bool, params map[string]string,
	opts Options) []corev1.EnvVar {
	port := strconv.Itoa(int(gcsPort(c)))
	address := "127.0.0.1:" + port
	if !head {
		address = params["address"]
	}
	env := []corev1.EnvVar{
		{Name: "RAY_CLUSTER_NAME", Value: c.Name},
		{Name: "RAY_CLUSTER_NAMESPACE", Value: c.Namespace},
		{Name: "RAY_ADDRESS", Value: address},
		{Name: "RAY_PORT", Value: port},
		{Name: "RAY_USAGE_STATS_KUBERAY_IN_USE", Value: "1"},
	}
	if !head {
		env = append(env,
			corev1.EnvVar{Name: "FQ_RAY_IP", Value: HeadServiceFQDN(c, opts)},
			corev1.EnvVar{Name: "RAY_IP", Value: HeadServiceName(c)})
	}
	if AutoscalerV2(c) {
		// Autoscaler v2 maps each Ray node to its pod and worker group through these.
		env = append(env,
			corev1.EnvVar{Name: "RAY_enable_autoscaler_v2", Value: "1"},
			corev1.EnvVar{Name: "RAY_NODE_TYPE_NAME", Value: groupName},
			corev1.EnvVar{Name: "RAY_CLOUD_INSTANCE_ID", ValueFrom: &corev1.EnvVarSource{
				FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"},
			}})
	}
	env = append(env, authEnv(c)...)
	return append(env, gcsFaultToleranceEnv(c, head)...)
}

// addEnvIfAbsent appends each variable the container does not define yet.
func addEnvIfAbsent(ctr *corev1.Container, env []corev1.EnvVar) {
	for _, e := range env {
		if !slices.ContainsFunc(ctr.Env, func(x corev1.EnvVar) bool { return x.Name == e.Name }) {
			ctr.Env = append(ctr.Env, e)
		}
	}
}

// setEnv sets a variable, replacing an existing one of the same name in place.
func setEnv(ctr *corev1.Container, e corev1.EnvVar) {
	for i := range ctr.Env {
		if ctr.Env[i].Name == e.Name {
			ctr.Env[i] = e
			return
		}
	}
	ctr.Env = append(ctr.Env, e)
}

// addSharedMemory mounts a memory-backed /dev/shm, sized to the memory limit, because Ray's
// object store lives there and container runtimes give /dev/shm only 64Mi. A user who mounts
// /dev/shm, or already has a volume named shared-mem, keeps their choice.
func addSharedMemory(spec *corev1.PodSpec, ctr *corev1.Container) {
	if slices.ContainsFunc(ctr.VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.MountPath == sharedMemoryPath
	}) || hasVolume(spec, sharedMemoryVolume) {
		return
	}
	empty := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}
	if q, ok := ctr.Resources.Limits[corev1.ResourceMemory]; ok && !q.IsZero() {
		size := q.DeepCopy()
		empty.SizeLimit = &size
	}
	spec.Volumes = append(spec.Volumes, corev1.Volume{
		Name:         sharedMemoryVolume,
		VolumeSource: corev1.VolumeSource{EmptyDir: empty},
	})
	ctr.VolumeMounts = append(ctr.VolumeMounts,
		corev1.VolumeMount{Name: sharedMemoryVolume, MountPath: sharedMemoryPath})
}

func hasVolume(spec *corev1.PodSpec, name string) bool {
	return slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == name })
}

// healthCommand checks the raylet through the dashboard agent and, on the head, the GCS
// through the dashboard. Without a dashboard (include-dashboard=false) there is no endpoint
// for the GCS check, and requiring it would keep the head from ever becoming ready. With token
// authentication the checks present the cluster's token.
func healthCommand(c *rayv1.RayCluster, head bool, params map[string]string) string {
	check := "wget -T 2 -q -O- http://localhost:%d/api/%s | grep success"
	if TokenAuthEnabled(c) {
		// Ray reads the token from this header on its HTTP endpoints; the shell of the probe
		// expands the variable from the container's environment.
		check = `wget -T 2 -q -O- --header="x-ray-authorization: Bearer $` + AuthTokenEnv +
			`" http://localhost:%d/api/%s | grep success`
	}
	agent := portParam(params, "dashboard-agent-listen-port", DefaultDashboardAgentPort)
	checks := []string{fmt.Sprintf(check, agent, "local_raylet_healthz")}
	if head && !strings.EqualFold(strings.TrimSpace(params["include-dashboard"]), "false") {
		dashboard := portParam(params, "dashboard-port", DefaultDashboardPort)
		checks = append(checks, fmt.Sprintf(check, dashboard, "gcs_healthz"))
	}
	return strings.Join(checks, " && ")
}

// addProbes gives the container a liveness and a readiness probe, each only when the user set
// none. Liveness is lenient (ten minutes of failures) because a busy head answers slowly.
func addProbes(ctr *corev1.Container, command string) {
	probe := func(initialDelay, failures int32) *corev1.Probe {
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
	if ctr.LivenessProbe == nil {
		ctr.LivenessProbe = probe(30, 120)
	}
	if ctr.ReadinessProbe == nil {
		ctr.ReadinessProbe = probe(10, 10)
	}
}

// waitForGCSContainer is the init container of workers: it blocks until the head's GCS answers,
// so that `ray start` in the worker does not fail and restart while the head is still coming up.
// It runs in the Ray container's image, environment and mounts (TLS settings included), and
// takes only its CPU and memory so that it never holds accelerators.
func waitForGCSContainer(ray *corev1.Container, address string) corev1.Container {
	script := fmt.Sprintf("until ray health-check --address %s > /dev/null 2>&1; do "+
		"echo \"Waiting for the GCS at %s\"; sleep 5; done", address, address)
	src := ray.DeepCopy()
	return corev1.Container{
		Name:            waitForGCSName,
		Image:           src.Image,
		ImagePullPolicy: src.ImagePullPolicy,
		Command:         slices.Clone(bashCommand),
		Args:            []string{script},
		Env:             src.Env,
		EnvFrom:         src.EnvFrom,
		VolumeMounts:    src.VolumeMounts,
		Resources: corev1.ResourceRequirements{
			Requests: cpuAndMemory(src.Resources.Requests),
			Limits:   cpuAndMemory(src.Resources.Limits),
		},
		SecurityContext: src.SecurityContext,
	}
}

const waitForGCSName = "wait-gcs-ready"

func cpuAndMemory(list corev1.ResourceList) corev1.ResourceList {
	var out corev1.ResourceList
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := list[name]; ok {
			if out == nil {
				out = corev1.ResourceList{}
			}
			out[name] = q
		}
	}
	return out
}
