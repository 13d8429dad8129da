package raypod

import (
	"maps"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Label keys on Ray pods and on the objects the operator owns. Monitoring selectors and
// dashboards depend on these exact keys.
const (
	// ClusterLabel names the RayCluster a pod or object belongs to.
	ClusterLabel = "ray.io/cluster"
	// NodeTypeLabel is "head" or "worker".
	NodeTypeLabel = "ray.io/node-type"
	// GroupLabel is "headgroup" for the head and the group name for workers.
	GroupLabel = "ray.io/group"
	// IdentifierLabel is <cluster>-head or <cluster>-worker.
	IdentifierLabel = "ray.io/identifier"
	// IsRayNodeLabel is "yes" on every Ray pod.
	IsRayNodeLabel = "ray.io/is-ray-node"
	// ServeLabel marks the pods the serve Service sends traffic to.
	ServeLabel = "ray.io/serve"
	// AppNameLabel is the standard application-name label; always "kuberay".
	AppNameLabel = "app.kubernetes.io/name"
	// CreatedByLabel is the standard label naming the operator that created the object.
	CreatedByLabel = "app.kubernetes.io/created-by"
)

// Label values.
const (
	// HeadNodeType is the value of NodeTypeLabel on the head pod.
	HeadNodeType = "head"
	// WorkerNodeType is the value of NodeTypeLabel on worker pods.
	WorkerNodeType = "worker"
	// HeadGroupName is the value of GroupLabel on the head pod. Worker groups may not use it.
	HeadGroupName = "headgroup"
	// AppName is the value of AppNameLabel.
	AppName = "kuberay"
)

// Annotations on the RayCluster that change what the operator builds.
const (
	// EnableServeServiceAnnotation set to "true" asks for the serve Service.
	EnableServeServiceAnnotation = "ray.io/enable-serve-service"
	// OverwriteContainerCmdAnnotation set to "true" keeps the user's command of the Ray
	// containers as it is, instead of wrapping it around the generated `ray start`.
	OverwriteContainerCmdAnnotation = "ray.io/overwrite-container-cmd"
)

// HeadPodLabels returns the labels of the head pod: the operator's labels, the head template's
// labels and the head's Ray node labels, with the cluster, node-type and group keys always the
// operator's.
func HeadPodLabels(c *rayv1.RayCluster, opts Options) map[string]string {
	h := &c.Spec.HeadGroupSpec
	return podLabels(c, opts, HeadNodeType, HeadGroupName, h.Template.Labels, h.Labels)
}

// WorkerPodLabels returns the labels of a worker pod of group g, built like HeadPodLabels.
func WorkerPodLabels(c *rayv1.RayCluster, g *rayv1.WorkerGroupSpec,
	opts Options) map[string]string {
	return podLabels(c, opts, WorkerNodeType, g.GroupName, g.Template.Labels, g.Labels)
}

// podLabels layers, from weakest to strongest: the operator's overridable labels, the template's
// labels, the group's Ray node labels (the more specific of the two user sources), and finally
// the three keys that selectors and the controller rely on.
func podLabels(c *rayv1.RayCluster, opts Options, nodeType, group string,
	template, rayLabels map[string]string) map[string]string {
	labels := map[string]string{
		IdentifierLabel: c.Name + "-" + nodeType,
		IsRayNodeLabel:  "yes",
		AppNameLabel:    AppName,
		CreatedByLabel:  opts.operatorName(),
	}
	if ServeServiceEnabled(c) {
		labels[ServeLabel] = "true"
	}
	maps.Copy(labels, template)
	maps.Copy(labels, rayLabels)
	labels[ClusterLabel] = c.Name
	labels[NodeTypeLabel] = nodeType
	labels[GroupLabel] = group
	return labels
}

// HeadServiceSelector selects the head pod of the cluster. It uses only labels that a template
// cannot override, so a user label can never detach the Service from the head.
func HeadServiceSelector(c *rayv1.RayCluster) map[string]string {
	return map[string]string{ClusterLabel: c.Name, NodeTypeLabel: HeadNodeType}
}

// objectLabels are the labels of an owned object other than a pod.
func objectLabels(c *rayv1.RayCluster, opts Options, nodeType string) map[string]string {
	labels := map[string]string{
		ClusterLabel:   c.Name,
		AppNameLabel:   AppName,
		CreatedByLabel: opts.operatorName(),
	}
	if nodeType != "" {
		labels[NodeTypeLabel] = nodeType
		labels[IdentifierLabel] = c.Name + "-" + nodeType
	}
	return labels
}

// ServeServiceEnabled reports whether the cluster asks for the serve Service.
func ServeServiceEnabled(c *rayv1.RayCluster) bool {
	return c.Annotations[EnableServeServiceAnnotation] == "true"
}

// IngressEnabled reports whether the cluster asks for an Ingress in front of the dashboard.
func IngressEnabled(c *rayv1.RayCluster) bool {
	return c.Spec.HeadGroupSpec.EnableIngress != nil && *c.Spec.HeadGroupSpec.EnableIngress
}

// HeadlessServiceNeeded reports whether some worker group has more than one host per replica,
// which needs the headless Service for the hosts to find each other.
func HeadlessServiceNeeded(c *rayv1.RayCluster) bool {
	for i := range c.Spec.WorkerGroupSpecs {
		if c.Spec.WorkerGroupSpecs[i].NumOfHosts > 1 {
			return true
		}
	}
	return false
}

// AutoscalingEnabled reports whether the cluster runs the Ray autoscaler.
func AutoscalingEnabled(c *rayv1.RayCluster) bool {
	return c.Spec.EnableInTreeAutoscaling != nil && *c.Spec.EnableInTreeAutoscaling
}
