package raypod

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// AutoscalerContainerName is the name of the autoscaler sidecar in the head pod.
const AutoscalerContainerName = "autoscaler"

const (
	rayLogsVolume = "ray-logs"
	// rayLogsPath is Ray's temporary directory. The autoscaler shares it with the head so that
	// its logs land in the head's session directory, where `ray logs` and the dashboard find them.
	rayLogsPath = "/tmp/ray"
)

// AutoscalerV2 reports whether the cluster runs version 2 of the Ray autoscaler: as set in
// autoscalerOptions.version, else from Ray 2.47 on according to rayVersion. It is false when
// autoscaling is off.
func AutoscalerV2(c *rayv1.RayCluster) bool {
	if !AutoscalingEnabled(c) {
		return false
	}
	if o := c.Spec.AutoscalerOptions; o != nil && o.Version != nil {
		return *o.Version == "v2"
	}
	return rayVersionAtLeast(c.Spec.RayVersion, 2, 47)
}

// rayVersionAtLeast compares the major and minor numbers of a version such as "2.52.0"; a
// version it cannot read (empty, "nightly") counts as older.
func rayVersionAtLeast(version string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(version), "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err1 := strconv.Atoi(parts[0])
	mnr, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && mnr >= minor
}

// addAutoscaler appends the autoscaler sidecar to the head pod, sharing the Ray log directory
// with the Ray container.
func addAutoscaler(c *rayv1.RayCluster, spec *corev1.PodSpec) {
	logs := shareRayLogs(spec)
	sidecar := autoscalerContainer(c, &spec.Containers[0], logs)
	spec.Containers = append(spec.Containers, sidecar)
}

// shareRayLogs returns the volume mounted at /tmp/ray in the Ray container, adding an emptyDir
// for it when the user mounts nothing there.
func shareRayLogs(spec *corev1.PodSpec) string {
	ray := &spec.Containers[0]
	for _, m := range ray.VolumeMounts {
		if m.MountPath == rayLogsPath {
			return m.Name
		}
	}
	if !hasVolume(spec, rayLogsVolume) {
		spec.Volumes = append(spec.Volumes, corev1.Volume{
			Name:         rayLogsVolume,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
		})
	}
	ray.VolumeMounts = append(ray.VolumeMounts,
		corev1.VolumeMount{Name: rayLogsVolume, MountPath: rayLogsPath})
	return rayLogsVolume
}

// autoscalerContainer is the sidecar: the head's image and pull policy, `ray
// kuberay-autoscaler` for this cluster, 500m CPU and 512Mi memory; autoscalerOptions override
// each of these.
func autoscalerContainer(c *rayv1.RayCluster, ray *corev1.Container,
	logsVolume string) corev1.Container {
	args := fmt.Sprintf("ray kuberay-autoscaler --cluster-name %s --cluster-namespace %s",
		c.Name, c.Namespace)
	ctr := corev1.Container{
		Name:            AutoscalerContainerName,
		Image:           ray.Image,
		ImagePullPolicy: ray.ImagePullPolicy,
		Command:         slices.Clone(bashCommand),
		Args:            []string{args},
		Env: []corev1.EnvVar{
			{Name: "RAY_CLUSTER_NAME", Value: c.Name},
			{Name: "RAY_CLUSTER_NAMESPACE", Value: c.Namespace},
		},
		Resources:    defaultAutoscalerResources(),
		VolumeMounts: []corev1.VolumeMount{{Name: logsVolume, MountPath: rayLogsPath}},
	}
	if AutoscalerV2(c) {
		ctr.Env = append(ctr.Env, corev1.EnvVar{Name: "RAY_enable_autoscaler_v2", Value: "1"})
	}
	// The autoscaler calls the GCS like any Ray client.
	ctr.Env = append(ctr.Env, authEnv(c)...)
	if o := c.Spec.AutoscalerOptions; o != nil {
		applyAutoscalerOptions(&ctr, o.DeepCopy())
	}
	return ctr
}

func defaultAutoscalerResources() corev1.ResourceRequirements {
	list := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("500m"),
		corev1.ResourceMemory: resource.MustParse("512Mi"),
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

// applyAutoscalerOptions lays the user's options over the defaults. Variables and mounts are
// merged: a user entry replaces the operator's of the same name (or mount path).
func applyAutoscalerOptions(ctr *corev1.Container, o *rayv1.AutoscalerOptions) {
	if o.Image != nil {
		ctr.Image = *o.Image
	}
	if o.ImagePullPolicy != nil {
		ctr.ImagePullPolicy = *o.ImagePullPolicy
	}
	if len(o.Command) > 0 {
		ctr.Command = o.Command
	}
	if len(o.Args) > 0 {
		ctr.Args = o.Args
	}
	if o.Resources != nil {
		ctr.Resources = *o.Resources
	}
	ctr.SecurityContext = o.SecurityContext
	ctr.EnvFrom = o.EnvFrom
	for _, e := range o.Env {
		setEnv(ctr, e)
	}
	for _, m := range o.VolumeMounts {
		ctr.VolumeMounts = slices.DeleteFunc(ctr.VolumeMounts, func(x corev1.VolumeMount) bool {
			return x.MountPath == m.MountPath
		})
		ctr.VolumeMounts = append(ctr.VolumeMounts, m)
	}
}

// BuildServiceAccount builds the ServiceAccount the head pod runs as with autoscaling, named by
// AutoscalerServiceAccountName.
func BuildServiceAccount(c *rayv1.RayCluster, opts Options) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		ObjectMeta: ownedMeta(c, AutoscalerServiceAccountName(c), objectLabels(c, opts, "")),
	}
}

// BuildRole builds the Role of the autoscaler: read and patch the pods of the namespace (to find
// and drain Ray nodes), and read and patch its own RayCluster (to set replicas and
// workersToDelete). The RayCluster rule names the cluster, so an autoscaler cannot scale its
// neighbours.
func BuildRole(c *rayv1.RayCluster, opts Options) *rbacv1.Role {
	return &rbacv1.Role{
		ObjectMeta: ownedMeta(c, AutoscalerRoleName(c), objectLabels(c, opts, "")),
		Rules: []rbacv1.PolicyRule{
			{
				APIGroups: []string{""},
				Resources: []string{"pods"},
				Verbs:     []string{"get", "list", "watch", "patch"},
			},
			{
				APIGroups:     []string{rayv1.GroupVersion.Group},
				Resources:     []string{"rayclusters"},
				ResourceNames: []string{c.Name},
				Verbs:         []string{"get", "patch"},
			},
		},
	}
}

// BuildRoleBinding binds the autoscaler's Role to its ServiceAccount.
func BuildRoleBinding(c *rayv1.RayCluster, opts Options) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: ownedMeta(c, AutoscalerRoleName(c), objectLabels(c, opts, "")),
		Subjects: []rbacv1.Subject{{
			Kind:      rbacv1.ServiceAccountKind,
			Name:      AutoscalerServiceAccountName(c),
			Namespace: c.Namespace,
		}},
		RoleRef: rbacv1.RoleRef{
			APIGroup: rbacv1.GroupName,
			Kind:     "Role",
			Name:     AutoscalerRoleName(c),
		},
	}
}
