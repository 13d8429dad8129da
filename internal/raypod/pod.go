package raypod

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// BuildHeadPod builds the head pod from headGroupSpec: the template with the operator's labels,
// the Ray container set up to run `ray start --head`, and, with autoscaling, the autoscaler
// sidecar. The API server generates the name from HeadPodGenerateName. It fails only when the
// template has no container.
func BuildHeadPod(c *rayv1.RayCluster, opts Options) (*corev1.Pod, error) {
	h := &c.Spec.HeadGroupSpec
	pod, err := newRayPod(c, &h.Template, HeadPodGenerateName(c), HeadPodLabels(c, opts),
		"spec.headGroupSpec.template.spec.containers")
	if err != nil {
		return nil, err
	}
	ray := &pod.Spec.Containers[0]
	params := headStartParams(c, ray)
	ray.Ports = headContainerPorts(ray.Ports, params)
	configureRayContainer(c, &pod.Spec, RenderRayStart(params, true),
		rayEnv(c, HeadGroupName, true, params, opts))
	addProbes(ray, healthCommand(c, true, params))

	if AutoscalingEnabled(c) {
		addAutoscaler(c, &pod.Spec)
		if pod.Spec.ServiceAccountName == "" {
			pod.Spec.ServiceAccountName = AutoscalerServiceAccountName(c)
		}
	}
	setRestartPolicy(c, &pod.Spec)
	return pod, nil
}

// BuildWorkerPod builds one worker pod of the named group: the template with the operator's
// labels, the Ray container set up to join the head, and an init container that waits for the
// head's GCS. Pods of multi-host groups get the headless Service as subdomain, so that the hosts
// of a replica can reach each other by name. It fails when the group does not exist or its
// template has no container.
func BuildWorkerPod(c *rayv1.RayCluster, groupName string, opts Options) (*corev1.Pod, error) {
	i := groupIndex(c, groupName)
	if i < 0 {
		return nil, fmt.Errorf("worker group %q is not in spec.workerGroupSpecs", groupName)
	}
	g := &c.Spec.WorkerGroupSpecs[i]
	pod, err := newRayPod(c, &g.Template, WorkerPodGenerateName(c, groupName),
		WorkerPodLabels(c, g, opts), fmt.Sprintf("spec.workerGroupSpecs[%d].template.spec.containers", i))
	if err != nil {
		return nil, err
	}
	ray := &pod.Spec.Containers[0]
	params := workerStartParams(c, g, ray, opts)
	ray.Ports = withMetricsPort(ray.Ports, params)
	configureRayContainer(c, &pod.Spec, RenderRayStart(params, false),
		rayEnv(c, groupName, false, params, opts))
	addProbes(ray, healthCommand(c, false, params))

	if !hasInitContainer(&pod.Spec, waitForGCSName) {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers,
			waitForGCSContainer(ray, params["address"]))
	}
	if g.NumOfHosts > 1 && pod.Spec.Subdomain == "" {
		pod.Spec.Subdomain = HeadlessServiceName(c)
	}
	setRestartPolicy(c, &pod.Spec)
	return pod, nil
}

// newRayPod copies a template into a new pod owned by the cluster. The template is deep-copied:
// the builders change the copy, never the RayCluster.
func newRayPod(c *rayv1.RayCluster, tmpl *corev1.PodTemplateSpec, generateName string,
	labels map[string]string, containersField string) (*corev1.Pod, error) {
	if len(tmpl.Spec.Containers) == 0 {
		return nil, fmt.Errorf("%s is empty: the first container runs Ray", containersField)
	}
	t := tmpl.DeepCopy()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    generateName,
			Namespace:       c.Namespace,
			Labels:          labels,
			Annotations:     t.Annotations,
			OwnerReferences: []metav1.OwnerReference{ownerReference(c)},
		},
		Spec: t.Spec,
	}
	markFaultTolerant(c, pod)
	stampSpecHash(c, pod)
	return pod, nil
}

// configureRayContainer applies what head and workers share: the command, the environment and
// the shared memory of container 0.
func configureRayContainer(c *rayv1.RayCluster, spec *corev1.PodSpec, rayStart string,
	env []corev1.EnvVar) {
	ray := &spec.Containers[0]
	setRayCommand(c, ray, rayStart)
	addEnvIfAbsent(ray, env)
	addSharedMemory(spec, ray)
}

// setRestartPolicy keeps the template's restart policy. When it is unset the pod restarts its
// containers (Always), except with autoscaler v2, which tracks each Ray node by its pod and
// cannot follow a container that rejoins as a new node, so the pod is replaced instead (Never).
func setRestartPolicy(c *rayv1.RayCluster, spec *corev1.PodSpec) {
	if spec.RestartPolicy != "" {
		return
	}
	spec.RestartPolicy = corev1.RestartPolicyAlways
	if AutoscalerV2(c) {
		spec.RestartPolicy = corev1.RestartPolicyNever
	}
}

func groupIndex(c *rayv1.RayCluster, name string) int {
	for i := range c.Spec.WorkerGroupSpecs {
		if c.Spec.WorkerGroupSpecs[i].GroupName == name {
			return i
		}
	}
	return -1
}

func hasInitContainer(spec *corev1.PodSpec, name string) bool {
	for _, ctr := range spec.InitContainers {
		if ctr.Name == name {
			return true
		}
	}
	return false
}
