package convert

import (
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// headPorts are the ports of the head's Ray container: Ray's GCS, client server, dashboard and
// metrics. The operator makes each a port of the head Service.
var headPorts = []corev1.ContainerPort{
	{Name: "redis", ContainerPort: 6379, Protocol: corev1.ProtocolTCP},
	{Name: "head", ContainerPort: 10001, Protocol: corev1.ProtocolTCP},
	{Name: "dashboard", ContainerPort: 8265, Protocol: corev1.ProtocolTCP},
	{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
}

// ClusterToRayCluster builds the RayCluster of a cluster that ValidateCluster accepted.
// templates holds, by name, every compute template the cluster's groups name.
func ClusterToRayCluster(c *apiv1.Cluster, templates map[string]*apiv1.ComputeTemplate,
	opts Options) (*rayv1.RayCluster, error) {
	spec := c.GetClusterSpec()
	head, err := headGroupSpec(c, spec.GetHeadGroupSpec(), templates)
	if err != nil {
		return nil, err
	}
	rc := &rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Name: c.Name, Namespace: c.Namespace,
			Labels: clusterLabels(c, opts), Annotations: cloneMap(c.Annotations)},
		Spec: rayv1.RayClusterSpec{
			RayVersion:             c.Version,
			HeadGroupSpec:          head,
			HeadServiceAnnotations: cloneMap(spec.GetHeadServiceAnnotations()),
		},
	}
	for i, w := range spec.GetWorkerGroupSpec() {
		g, err := workerGroupSpec(c, w, templates)
		if err != nil {
			return nil, fmt.Errorf("clusterSpec.workerGroupSpec[%d]: %w", i, err)
		}
		rc.Spec.WorkerGroupSpecs = append(rc.Spec.WorkerGroupSpecs, g)
	}
	if spec.GetEnableInTreeAutoscaling() {
		rc.Spec.EnableInTreeAutoscaling = ptr.To(true)
	}
	if o := spec.GetAutoscalerOptions(); o != nil {
		if rc.Spec.AutoscalerOptions, err = autoscalerOptions(o); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// clusterLabels are the labels that keep the cluster's user, version and environment.
func clusterLabels(c *apiv1.Cluster, opts Options) map[string]string {
	labels := map[string]string{
		UserLabel:        c.User,
		EnvironmentLabel: c.Environment.String(),
	}
	if c.Version != "" {
		labels[VersionLabel] = c.Version
	}
	if opts.ManagedBy != "" {
		labels[ManagedByLabel] = opts.ManagedBy
	}
	return labels
}

func headGroupSpec(c *apiv1.Cluster, h *apiv1.HeadGroupSpec,
	templates map[string]*apiv1.ComputeTemplate) (rayv1.HeadGroupSpec, error) {
	tmpl, err := podTemplate(c, headGroup(h), HeadContainerName, headPorts, templates)
	if err != nil {
		return rayv1.HeadGroupSpec{}, fmt.Errorf("clusterSpec.headGroupSpec: %w", err)
	}
	out := rayv1.HeadGroupSpec{
		Template:       tmpl,
		RayStartParams: cloneMap(h.RayStartParams),
		ServiceType:    corev1.ServiceType(h.ServiceType),
	}
	if h.EnableIngress {
		out.EnableIngress = ptr.To(true)
	}
	return out, nil
}

func workerGroupSpec(c *apiv1.Cluster, w *apiv1.WorkerGroupSpec,
	templates map[string]*apiv1.ComputeTemplate) (rayv1.WorkerGroupSpec, error) {
	tmpl, err := podTemplate(c, workerGroup(w), WorkerContainerName, nil, templates)
	if err != nil {
		return rayv1.WorkerGroupSpec{}, err
	}
	return rayv1.WorkerGroupSpec{
		GroupName:      w.GroupName,
		Replicas:       ptr.To(w.Replicas),
		MinReplicas:    ptr.To(w.MinReplicas),
		MaxReplicas:    ptr.To(w.MaxReplicas),
		NumOfHosts:     1,
		RayStartParams: cloneMap(w.RayStartParams),
		Template:       tmpl,
	}, nil
}

// autoscalerOptions converts the autoscaler settings; the CPU and memory become both requests
// and limits.
func autoscalerOptions(o *apiv1.AutoscalerOptions) (*rayv1.AutoscalerOptions, error) {
	out := &rayv1.AutoscalerOptions{Env: envVars(nil, o.Envs)}
	if o.IdleTimeoutSeconds != 0 {
		out.IdleTimeoutSeconds = ptr.To(o.IdleTimeoutSeconds)
	}
	if o.UpscalingMode != "" {
		out.UpscalingMode = ptr.To(rayv1.UpscalingMode(o.UpscalingMode))
	}
	if o.Image != "" {
		out.Image = ptr.To(o.Image)
	}
	if o.ImagePullPolicy != "" {
		out.ImagePullPolicy = ptr.To(corev1.PullPolicy(o.ImagePullPolicy))
	}
	list := corev1.ResourceList{}
	for name, v := range map[corev1.ResourceName]string{
		corev1.ResourceCPU: o.Cpu, corev1.ResourceMemory: o.Memory} {
		if v == "" {
			continue
		}
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return nil, fmt.Errorf("clusterSpec.autoscalerOptions.%s: %w", name, err)
		}
		list[name] = q
	}
	if len(list) > 0 {
		out.Resources = &corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
	}
	return out, nil
}

func defaultImage(version string) string {
	if version == "" {
		return defaultImageRepository + ":latest"
	}
	return defaultImageRepository + ":" + version
}

func cloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}
