package convert

import (
	"maps"

	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// RayClusterToCluster describes a RayCluster as an API cluster: what ClusterToRayCluster put in,
// and the state, endpoints and timestamps. It accepts any RayCluster, also one written with
// kubectl: a field that cannot be derived from it, such as the compute template, is left empty.
// Cluster-wide environment variables come back in each group's environment.
func RayClusterToCluster(rc *rayv1.RayCluster) *apiv1.Cluster {
	env := apiv1.Cluster_Environment_value[rc.Labels[EnvironmentLabel]] // DEV when unknown
	c := &apiv1.Cluster{
		Name:            rc.Name,
		Namespace:       rc.Namespace,
		User:            rc.Labels[UserLabel],
		Version:         rc.Labels[VersionLabel],
		Environment:     apiv1.Cluster_Environment(env),
		Annotations:     withoutKeys(rc.Annotations, lastAppliedAnnotation),
		CreatedAt:       timestamp(rc.CreationTimestamp),
		ClusterState:    string(rc.Status.State),
		ServiceEndpoint: cloneMap(rc.Status.Endpoints),
		ClusterSpec:     clusterSpec(&rc.Spec),
	}
	if c.Version == "" {
		c.Version = rc.Spec.RayVersion
	}
	if rc.DeletionTimestamp != nil {
		c.DeletedAt = timestamp(*rc.DeletionTimestamp)
	}
	return c
}

func clusterSpec(spec *rayv1.RayClusterSpec) *apiv1.ClusterSpec {
	out := &apiv1.ClusterSpec{
		HeadGroupSpec:           apiHeadGroup(&spec.HeadGroupSpec),
		EnableInTreeAutoscaling: ptr.Deref(spec.EnableInTreeAutoscaling, false),
		HeadServiceAnnotations:  cloneMap(spec.HeadServiceAnnotations),
		AutoscalerOptions:       apiAutoscalerOptions(spec.AutoscalerOptions),
	}
	for i := range spec.WorkerGroupSpecs {
		out.WorkerGroupSpec = append(out.WorkerGroupSpec, apiWorkerGroup(&spec.WorkerGroupSpecs[i]))
	}
	return out
}

func apiHeadGroup(h *rayv1.HeadGroupSpec) *apiv1.HeadGroupSpec {
	g := groupOf(&h.Template, HeadContainerName)
	return &apiv1.HeadGroupSpec{
		ComputeTemplate: g.computeTemplate, Image: g.image, ImagePullPolicy: g.imagePullPolicy,
		ServiceAccount: g.serviceAccount, ImagePullSecret: g.imagePullSecret, Volumes: g.volumes,
		Environment: g.env, Annotations: g.annotations, Labels: g.labels,
		SecurityContext: g.securityContext,
		ServiceType:     string(h.ServiceType),
		EnableIngress:   ptr.Deref(h.EnableIngress, false),
		RayStartParams:  cloneMap(h.RayStartParams),
	}
}

func apiWorkerGroup(w *rayv1.WorkerGroupSpec) *apiv1.WorkerGroupSpec {
	g := groupOf(&w.Template, WorkerContainerName)
	return &apiv1.WorkerGroupSpec{
		ComputeTemplate: g.computeTemplate, Image: g.image, ImagePullPolicy: g.imagePullPolicy,
		ServiceAccount: g.serviceAccount, ImagePullSecret: g.imagePullSecret, Volumes: g.volumes,
		Environment: g.env, Annotations: g.annotations, Labels: g.labels,
		SecurityContext: g.securityContext,
		GroupName:       w.GroupName,
		Replicas:        ptr.Deref(w.Replicas, 0),
		MinReplicas:     ptr.Deref(w.MinReplicas, 0),
		MaxReplicas:     ptr.Deref(w.MaxReplicas, 0),
		RayStartParams:  cloneMap(w.RayStartParams),
	}
}

// groupOf reads the group fields back from a pod template: the Ray container is the one named
// containerName, or else the first.
func groupOf(tmpl *corev1.PodTemplateSpec, containerName string) group {
	g := group{
		computeTemplate: tmpl.Annotations[ComputeTemplateAnnotation],
		serviceAccount:  tmpl.Spec.ServiceAccountName,
		annotations: withoutKeys(tmpl.Annotations, ComputeTemplateAnnotation,
			ComputeImageAnnotation),
		labels: cloneMap(tmpl.Labels),
	}
	if len(tmpl.Spec.ImagePullSecrets) > 0 {
		g.imagePullSecret = tmpl.Spec.ImagePullSecrets[0].Name
	}
	ray := rayContainer(tmpl.Spec.Containers, containerName)
	if ray == nil {
		return g
	}
	g.image = ray.Image
	g.imagePullPolicy = string(ray.ImagePullPolicy)
	g.env = apiEnv(ray.Env)
	g.volumes = apiVolumes(tmpl.Spec.Volumes, ray.VolumeMounts)
	g.securityContext = apiSecurityContext(ray.SecurityContext)
	return g
}

func rayContainer(containers []corev1.Container, name string) *corev1.Container {
	for i := range containers {
		if containers[i].Name == name {
			return &containers[i]
		}
	}
	if len(containers) > 0 {
		return &containers[0]
	}
	return nil
}

func apiEnv(vars []corev1.EnvVar) *apiv1.EnvironmentVariables {
	if len(vars) == 0 {
		return nil
	}
	out := &apiv1.EnvironmentVariables{}
	for _, v := range vars {
		if v.ValueFrom == nil {
			if out.Values == nil {
				out.Values = map[string]string{}
			}
			out.Values[v.Name] = v.Value
			continue
		}
		if from := apiEnvSource(v.ValueFrom); from != nil {
			if out.ValuesFrom == nil {
				out.ValuesFrom = map[string]*apiv1.EnvValueFrom{}
			}
			out.ValuesFrom[v.Name] = from
		}
	}
	return out
}

func apiEnvSource(s *corev1.EnvVarSource) *apiv1.EnvValueFrom {
	switch {
	case s.ConfigMapKeyRef != nil:
		return &apiv1.EnvValueFrom{Source: apiv1.EnvValueFrom_CONFIGMAP,
			Name: s.ConfigMapKeyRef.Name, Key: s.ConfigMapKeyRef.Key}
	case s.SecretKeyRef != nil:
		return &apiv1.EnvValueFrom{Source: apiv1.EnvValueFrom_SECRET,
			Name: s.SecretKeyRef.Name, Key: s.SecretKeyRef.Key}
	case s.ResourceFieldRef != nil:
		return &apiv1.EnvValueFrom{Source: apiv1.EnvValueFrom_RESOURCEFIELD,
			Name: s.ResourceFieldRef.ContainerName, Key: s.ResourceFieldRef.Resource}
	case s.FieldRef != nil:
		return &apiv1.EnvValueFrom{Source: apiv1.EnvValueFrom_FIELD, Key: s.FieldRef.FieldPath}
	}
	return nil
}

func apiSecurityContext(sc *corev1.SecurityContext) *apiv1.SecurityContext {
	if sc == nil {
		return nil
	}
	out := &apiv1.SecurityContext{Privileged: ptr.Deref(sc.Privileged, false)}
	if caps := sc.Capabilities; caps != nil {
		out.Capabilities = &apiv1.Capabilities{}
		for _, c := range caps.Add {
			out.Capabilities.Add = append(out.Capabilities.Add, string(c))
		}
		for _, c := range caps.Drop {
			out.Capabilities.Drop = append(out.Capabilities.Drop, string(c))
		}
	}
	return out
}

func apiAutoscalerOptions(o *rayv1.AutoscalerOptions) *apiv1.AutoscalerOptions {
	if o == nil {
		return nil
	}
	out := &apiv1.AutoscalerOptions{
		IdleTimeoutSeconds: ptr.Deref(o.IdleTimeoutSeconds, 0),
		UpscalingMode:      string(ptr.Deref(o.UpscalingMode, "")),
		Image:              ptr.Deref(o.Image, ""),
		ImagePullPolicy:    string(ptr.Deref(o.ImagePullPolicy, "")),
		Envs:               apiEnv(o.Env),
	}
	if r := o.Resources; r != nil {
		out.Cpu = quantityString(r, corev1.ResourceCPU)
		out.Memory = quantityString(r, corev1.ResourceMemory)
	}
	return out
}

// quantityString is a resource's limit, or its request when it has no limit.
func quantityString(r *corev1.ResourceRequirements, name corev1.ResourceName) string {
	if q, ok := r.Limits[name]; ok {
		return q.String()
	}
	if q, ok := r.Requests[name]; ok {
		return q.String()
	}
	return ""
}

func withoutKeys(m map[string]string, keys ...string) map[string]string {
	out := maps.Clone(m)
	for _, k := range keys {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func timestamp(t metav1.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t.Time)
}
