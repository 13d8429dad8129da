package convert

import (
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// group holds the fields the head and the worker groups have in common, so that one function
// builds the pod template of either.
type group struct {
	computeTemplate string
	image           string
	imagePullPolicy string
	serviceAccount  string
	imagePullSecret string
	volumes         []*apiv1.Volume
	env             *apiv1.EnvironmentVariables
	annotations     map[string]string
	labels          map[string]string
	securityContext *apiv1.SecurityContext
}

func headGroup(h *apiv1.HeadGroupSpec) group {
	return group{computeTemplate: h.ComputeTemplate, image: h.Image,
		imagePullPolicy: h.ImagePullPolicy, serviceAccount: h.ServiceAccount,
		imagePullSecret: h.ImagePullSecret, volumes: h.Volumes, env: h.Environment,
		annotations: h.Annotations, labels: h.Labels, securityContext: h.SecurityContext}
}

func workerGroup(w *apiv1.WorkerGroupSpec) group {
	return group{computeTemplate: w.ComputeTemplate, image: w.Image,
		imagePullPolicy: w.ImagePullPolicy, serviceAccount: w.ServiceAccount,
		imagePullSecret: w.ImagePullSecret, volumes: w.Volumes, env: w.Environment,
		annotations: w.Annotations, labels: w.Labels, securityContext: w.SecurityContext}
}

// podTemplate builds a group's pod template: one Ray container sized by the compute template,
// with the group's image, environment, volumes and security context; the template's
// tolerations and node selector; and annotations that remember the template's name and the image.
func podTemplate(c *apiv1.Cluster, g group, containerName string, ports []corev1.ContainerPort,
	templates map[string]*apiv1.ComputeTemplate) (corev1.PodTemplateSpec, error) {
	tmpl, ok := templates[g.computeTemplate]
	if !ok || tmpl == nil {
		return corev1.PodTemplateSpec{}, fmt.Errorf("compute template %q is not known",
			g.computeTemplate)
	}
	resources, err := Resources(tmpl)
	if err != nil {
		return corev1.PodTemplateSpec{}, fmt.Errorf("compute template %q: %w", tmpl.Name, err)
	}
	volumes, mounts, err := podVolumes(g.volumes)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	image := g.image
	if image == "" {
		image = defaultImage(c.Version)
	}
	container := corev1.Container{
		Name:            containerName,
		Image:           image,
		ImagePullPolicy: corev1.PullPolicy(g.imagePullPolicy),
		Ports:           slices.Clone(ports),
		Env:             envVars(c.Envs, g.env),
		Resources:       resources,
		VolumeMounts:    mounts,
		SecurityContext: securityContext(g.securityContext),
	}
	annotations := cloneMap(g.annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[ComputeTemplateAnnotation] = g.computeTemplate
	annotations[ComputeImageAnnotation] = image
	spec := corev1.PodSpec{
		Containers:         []corev1.Container{container},
		Volumes:            volumes,
		Tolerations:        Tolerations(tmpl),
		NodeSelector:       NodeSelector(tmpl),
		ServiceAccountName: g.serviceAccount,
	}
	if g.imagePullSecret != "" {
		spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: g.imagePullSecret}}
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: cloneMap(g.labels), Annotations: annotations},
		Spec:       spec,
	}, nil
}

// envVars merges the cluster's variables with the group's, the group's winning, sorted by
// name so that the result does not depend on map order.
func envVars(cluster, own *apiv1.EnvironmentVariables) []corev1.EnvVar {
	byName := map[string]corev1.EnvVar{}
	for _, env := range []*apiv1.EnvironmentVariables{cluster, own} {
		for name, value := range env.GetValues() {
			byName[name] = corev1.EnvVar{Name: name, Value: value}
		}
		for name, from := range env.GetValuesFrom() {
			byName[name] = corev1.EnvVar{Name: name, ValueFrom: envSource(from)}
		}
	}
	var out []corev1.EnvVar
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[name])
	}
	return out
}

func envSource(from *apiv1.EnvValueFrom) *corev1.EnvVarSource {
	switch from.GetSource() {
	case apiv1.EnvValueFrom_SECRET:
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: from.GetName()},
			Key:                  from.GetKey()}}
	case apiv1.EnvValueFrom_RESOURCEFIELD:
		return &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{
			ContainerName: from.GetName(), Resource: from.GetKey()}}
	case apiv1.EnvValueFrom_FIELD:
		return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			FieldPath: from.GetKey()}}
	default:
		return &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: from.GetName()},
			Key:                  from.GetKey()}}
	}
}

func securityContext(sc *apiv1.SecurityContext) *corev1.SecurityContext {
	if sc == nil {
		return nil
	}
	out := &corev1.SecurityContext{}
	if caps := sc.Capabilities; caps != nil && (len(caps.Add) > 0 || len(caps.Drop) > 0) {
		out.Capabilities = &corev1.Capabilities{}
		for _, c := range caps.Add {
			out.Capabilities.Add = append(out.Capabilities.Add, corev1.Capability(c))
		}
		for _, c := range caps.Drop {
			out.Capabilities.Drop = append(out.Capabilities.Drop, corev1.Capability(c))
		}
	}
	if sc.Privileged {
		out.Privileged = ptr.To(true)
	}
	if out.Capabilities == nil && out.Privileged == nil {
		return nil
	}
	return out
}
