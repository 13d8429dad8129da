package convert

// Labels and annotations through which a RayCluster or ConfigMap remembers the API fields that
// have no place in its spec.
const (
	// UserLabel holds Cluster.user.
	UserLabel = "ray.io/user"
	// VersionLabel holds Cluster.version.
	VersionLabel = "ray.io/version"
	// EnvironmentLabel holds the name of Cluster.environment, such as DEV.
	EnvironmentLabel = "ray.io/environment"
	// ManagedByLabel names the server that created a RayCluster or ConfigMap.
	ManagedByLabel = "app.kubernetes.io/managed-by"

	// ComputeTemplateAnnotation, on a group's pod template, names the group's compute template.
	ComputeTemplateAnnotation = "ray.io/compute-template"
	// ComputeImageAnnotation, on a group's pod template, holds the group's image.
	ComputeImageAnnotation = "ray.io/compute-image"

	// ConfigTypeLabel marks the ConfigMaps that hold compute templates, with ConfigTypeTemplate.
	ConfigTypeLabel = "ray.io/config-type"
	// ConfigTypeTemplate is the value of ConfigTypeLabel on compute templates.
	ConfigTypeTemplate = "compute-template"
	// TemplateNameLabel, on a compute template's ConfigMap, holds the template's name.
	TemplateNameLabel = "ray.io/compute-template"

	// lastAppliedAnnotation is kubectl's copy of the applied manifest: noise in an API answer.
	lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
)

// Names of the Ray containers of clusters created through the API.
const (
	HeadContainerName   = "ray-head"
	WorkerContainerName = "ray-worker"
)

// defaultImageRepository is the image of a group that names none, tagged with the Ray version.
const defaultImageRepository = "rayproject/ray"

// defaultGPUResource is the resource name of GPUs when a template names no accelerator.
const defaultGPUResource = "nvidia.com/gpu"

// defaultMemoryUnit is the unit of ComputeTemplate.memory when the template names none.
const defaultMemoryUnit = "Gi"
