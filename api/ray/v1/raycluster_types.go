package v1

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RayCluster is a Ray cluster on Kubernetes: one head pod, any number of groups of worker pods,
// and the services that connect them. The operator creates and heals these objects and reports
// what it observes in the status.
//
// The name becomes part of the names of every object the operator creates (for example
// <name>-head-svc), so it is at most 53 characters: longer names would have to be truncated in
// derived names, and truncated names collide. It must also be a DNS-1035 label (no dots) unless
// no Service name is derived from it: headGroupSpec.headService.metadata.name is set and no
// group has numOfHosts > 1.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=all
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="desired workers",type=integer,JSONPath=".status.desiredWorkerReplicas",priority=0
// +kubebuilder:printcolumn:name="available workers",type=integer,JSONPath=".status.availableWorkerReplicas",priority=0
// +kubebuilder:printcolumn:name="cpus",type=string,JSONPath=".status.desiredCPU",priority=0
// +kubebuilder:printcolumn:name="memory",type=string,JSONPath=".status.desiredMemory",priority=0
// +kubebuilder:printcolumn:name="gpus",type=string,JSONPath=".status.desiredGPU",priority=0
// +kubebuilder:printcolumn:name="tpus",type=string,JSONPath=".status.desiredTPU",priority=1
// +kubebuilder:printcolumn:name="status",type=string,JSONPath=".status.state",priority=0
// +kubebuilder:printcolumn:name="age",type=date,JSONPath=".metadata.creationTimestamp",priority=0
// +kubebuilder:printcolumn:name="head pod IP",type=string,JSONPath=".status.head.podIP",priority=1
// +kubebuilder:printcolumn:name="head service IP",type=string,JSONPath=".status.head.serviceIP",priority=1
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 53",message="metadata.name must be no more than 53 characters, so that the names derived from it (such as <name>-head-svc) stay valid"
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$') || (has(self.spec.headGroupSpec.headService) && has(self.spec.headGroupSpec.headService.metadata) && has(self.spec.headGroupSpec.headService.metadata.name) && (!has(self.spec.workerGroupSpecs) || self.spec.workerGroupSpecs.all(g, !has(g.numOfHosts) || g.numOfHosts <= 1)))",message="metadata.name must be a DNS-1035 label: start with a lower-case letter, then lower-case letters, digits or '-', and end with a letter or digit. Dots are allowed only when headGroupSpec.headService.metadata.name names the head Service and no group has numOfHosts > 1, as Service names derived from the cluster name (<name>-head-svc, <name>-headless) cannot contain them"
type RayCluster struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec describes the Ray cluster the user wants.
	// +required
	Spec RayClusterSpec `json:"spec,omitempty"`
	// status is what the operator last observed of the cluster.
	// +optional
	Status RayClusterStatus `json:"status,omitempty"`
}

// RayClusterList is a list of RayClusters.
//
// +kubebuilder:object:root=true
type RayClusterList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the RayClusters of the list.
	Items []RayCluster `json:"items"`
}

// RayClusterSpec is the desired state of a Ray cluster.
type RayClusterSpec struct {
	// upgradeStrategy says what the operator does with running pods when their template changes.
	// +optional
	UpgradeStrategy *RayClusterUpgradeStrategy `json:"upgradeStrategy,omitempty"`
	// authOptions configures authentication between Ray clients and the cluster.
	// +optional
	AuthOptions *AuthOptions `json:"authOptions,omitempty"`
	// suspend, when true, deletes every Ray pod of the cluster while keeping the resource and
	// its services; setting it back to false recreates the pods.
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
	// managedBy names the controller that reconciles this cluster. When it is unset or
	// 'ray.io/kuberay-operator', this operator acts on the cluster; 'kueue.x-k8s.io/multikueue'
	// hands the cluster to Kueue's MultiKueue, and this operator leaves it alone. It cannot be
	// changed once set.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.managedBy is immutable"
	// +kubebuilder:validation:XValidation:rule="self in ['ray.io/kuberay-operator', 'kueue.x-k8s.io/multikueue']",message="spec.managedBy must be 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'"
	// +optional
	ManagedBy *string `json:"managedBy,omitempty"`
	// autoscalerOptions configures the Ray autoscaler sidecar that runs in the head pod when
	// enableInTreeAutoscaling is true.
	// +optional
	AutoscalerOptions *AutoscalerOptions `json:"autoscalerOptions,omitempty"`
	// headServiceAnnotations are added to the annotations of the head Service.
	// +optional
	HeadServiceAnnotations map[string]string `json:"headServiceAnnotations,omitempty"`
	// enableInTreeAutoscaling adds the Ray autoscaler to the head pod, together with the
	// ServiceAccount, Role and RoleBinding it needs to scale the worker groups.
	// +optional
	EnableInTreeAutoscaling *bool `json:"enableInTreeAutoscaling,omitempty"`
	// gcsFaultToleranceOptions makes the Ray global control store (GCS) survive a restart of the
	// head pod by keeping its state outside the head process.
	// +optional
	GcsFaultToleranceOptions *GcsFaultToleranceOptions `json:"gcsFaultToleranceOptions,omitempty"`
	// historyServerOptions configures the collector that ships Ray logs and events to a history
	// server.
	// +optional
	HistoryServerOptions *HistoryServerOptions `json:"historyServerOptions,omitempty"`
	// networkPolicy isolates the cluster's pods with NetworkPolicies. Traffic between the pods of
	// the cluster is always allowed.
	// +optional
	NetworkPolicy *NetworkPolicyConfig `json:"networkPolicy,omitempty"`
	// tlsOptions turns on mutual TLS between the Ray processes of the cluster.
	// +optional
	TLSOptions *TLSOptions `json:"tlsOptions,omitempty"`
	// headGroupSpec describes the head pod and the head Service.
	// +required
	HeadGroupSpec HeadGroupSpec `json:"headGroupSpec"`
	// rayVersion is the version of Ray the images run (for example "2.52.0"). It selects
	// version-dependent behaviour such as the autoscaler version.
	// +optional
	RayVersion string `json:"rayVersion,omitempty"`
	// workerGroupSpecs are the groups of worker pods. Group names must be unique.
	// +listType=map
	// +listMapKey=groupName
	// +optional
	WorkerGroupSpecs []WorkerGroupSpec `json:"workerGroupSpecs,omitempty"`
}

// HeadGroupSpec describes the head pod of a Ray cluster and the Service in front of it.
type HeadGroupSpec struct {
	// template is the pod template of the head pod. Its first container runs the Ray head.
	// +kubebuilder:validation:XValidation:rule="has(self.spec) && size(self.spec.containers) > 0",message="headGroupSpec.template.spec.containers must list at least one container"
	// +required
	Template corev1.PodTemplateSpec `json:"template"`
	// headService is the base of the head Service: its name, labels, annotations and ports are
	// kept, while the operator sets the selector and namespace and adds the default Ray ports
	// that are missing.
	// +optional
	HeadService *corev1.Service `json:"headService,omitempty"`
	// enableIngress creates an Ingress for the head's dashboard.
	// +optional
	EnableIngress *bool `json:"enableIngress,omitempty"`
	// ingressOptions sets the host, path and TLS of the Ingress created by enableIngress.
	// +optional
	IngressOptions *IngressOptions `json:"ingressOptions,omitempty"`
	// resources are Ray logical resources of the head node (for example "CPU": "0"). They take
	// precedence over the resources given in rayStartParams and do not change the pod's
	// Kubernetes resources.
	// +optional
	Resources map[string]string `json:"resources,omitempty"`
	// labels are Ray node labels of the head node. They are also added to the head pod and take
	// precedence over a --labels entry in rayStartParams.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// rayStartParams are options of the `ray start` command, without the leading dashes (for
	// example "dashboard-host": "0.0.0.0"). A value "true" gives a bare flag.
	// +optional
	RayStartParams map[string]string `json:"rayStartParams,omitempty"`
	// replicas is accepted for manifests written for ray.io/v1alpha1 and ignored: a cluster has
	// exactly one head pod. The operator answers it with a DeprecatedField warning event. It is
	// part of this schema because objects are stored as ray.io/v1, and a field missing here
	// would be pruned from what was written as ray.io/v1alpha1.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// serviceType is the type of the head Service: ClusterIP (the default), NodePort or
	// LoadBalancer.
	// +kubebuilder:validation:Enum=ClusterIP;NodePort;LoadBalancer
	// +optional
	ServiceType corev1.ServiceType `json:"serviceType,omitempty"`
}

// IngressOptions sets how the head Ingress routes to the dashboard.
type IngressOptions struct {
	// host is the fully qualified domain name the Ingress rule matches; any host when unset.
	// +optional
	Host *string `json:"host,omitempty"`
	// path is the HTTP path routed to the dashboard; "/" when unset.
	// +optional
	Path *string `json:"path,omitempty"`
	// pathType is how path is matched; Prefix when unset.
	// +optional
	PathType *IngressPathType `json:"pathType,omitempty"`
	// tls configures TLS termination on the Ingress.
	// +optional
	TLS []networkingv1.IngressTLS `json:"tls,omitempty"`
}

// IngressPathType is how an Ingress path is matched.
//
// +kubebuilder:validation:Enum=Exact;Prefix;ImplementationSpecific
type IngressPathType string

// WorkerGroupSpec describes one group of identical worker pods.
//
// +kubebuilder:validation:XValidation:rule="!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",message="workerGroupSpecs[].minReplicas must not be greater than maxReplicas"
type WorkerGroupSpec struct {
	// suspend, when true, deletes every pod of this group. It is meant for controllers such as a
	// RayJob's deletion policy rather than for people.
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
	// groupName identifies the group; it appears in the ray.io/group label and in pod names.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self != 'headgroup'",message="groupName 'headgroup' is reserved for the head pod's ray.io/group label"
	// +required
	GroupName string `json:"groupName"`
	// replicas is the number of replicas the group should have. It is clamped to
	// [minReplicas, maxReplicas]; unset counts as minReplicas.
	// +kubebuilder:default:=0
	// +kubebuilder:validation:Minimum=0
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// minReplicas is the lowest number of replicas the autoscaler may scale the group to.
	// +kubebuilder:default:=0
	// +kubebuilder:validation:Minimum=0
	// +optional
	MinReplicas *int32 `json:"minReplicas,omitempty"`
	// maxReplicas is the highest number of replicas the autoscaler may scale the group to.
	// +kubebuilder:default:=2147483647
	// +kubebuilder:validation:Minimum=0
	// +optional
	MaxReplicas *int32 `json:"maxReplicas,omitempty"`
	// idleTimeoutSeconds is how long an idle worker of this group lives before the autoscaler
	// (version 2) removes it; the autoscaler's own setting applies when unset.
	// +kubebuilder:validation:Minimum=0
	// +optional
	IdleTimeoutSeconds *int32 `json:"idleTimeoutSeconds,omitempty"`
	// priority orders the groups for the autoscaler (version 2, Ray 2.56 and later) when several
	// could satisfy the same demand; higher is preferred.
	// +kubebuilder:default:=0
	// +optional
	Priority *int32 `json:"priority,omitempty"`
	// resources are Ray logical resources of each worker of the group (for example "GPU": "1").
	// They take precedence over the resources given in rayStartParams and do not change the pod's
	// Kubernetes resources.
	// +optional
	Resources map[string]string `json:"resources,omitempty"`
	// labels are Ray node labels of each worker of the group. They are also added to the pods
	// and take precedence over a --labels entry in rayStartParams.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// rayStartParams are options of the `ray start` command, without the leading dashes.
	// +optional
	RayStartParams map[string]string `json:"rayStartParams,omitempty"`
	// template is the pod template of each worker. Its first container runs the Ray worker.
	// +kubebuilder:validation:XValidation:rule="has(self.spec) && size(self.spec.containers) > 0",message="workerGroupSpecs[].template.spec.containers must list at least one container"
	// +required
	Template corev1.PodTemplateSpec `json:"template"`
	// scaleStrategy names the pods to remove when the group scales down.
	// +optional
	ScaleStrategy ScaleStrategy `json:"scaleStrategy,omitempty"`
	// numOfHosts is the number of pods per replica, for multi-host replicas such as TPU slices.
	// The group has replicas * numOfHosts pods.
	// +kubebuilder:default:=1
	// +kubebuilder:validation:Minimum=1
	// +optional
	NumOfHosts int32 `json:"numOfHosts,omitempty"`
}

// ScaleStrategy names the workers to remove.
type ScaleStrategy struct {
	// workersToDelete are names of pods of this group to delete. The autoscaler fills it in when
	// it scales down; the operator deletes exactly these pods.
	// +listType=atomic
	// +optional
	WorkersToDelete []string `json:"workersToDelete,omitempty"`
}

// AutoscalerOptions configures the Ray autoscaler sidecar container.
type AutoscalerOptions struct {
	// resources of the autoscaler container; 500m CPU and 512Mi memory (requests and limits)
	// when unset.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
	// image of the autoscaler container; the image of the head's Ray container when unset.
	// +optional
	Image *string `json:"image,omitempty"`
	// imagePullPolicy of the autoscaler container.
	// +optional
	ImagePullPolicy *corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// securityContext of the autoscaler container.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`
	// idleTimeoutSeconds is how long a worker may sit idle before the autoscaler removes it (60
	// when unset). Read by the autoscaler, not the operator.
	// +kubebuilder:validation:Minimum=0
	// +optional
	IdleTimeoutSeconds *int32 `json:"idleTimeoutSeconds,omitempty"`
	// upscalingMode limits how fast the autoscaler adds workers: Conservative keeps the number
	// of pending workers at most the size of the cluster; Default and Aggressive do not limit.
	// +optional
	UpscalingMode *UpscalingMode `json:"upscalingMode,omitempty"`
	// version of the autoscaler, v1 or v2; chosen from rayVersion when unset (v2 from Ray 2.47).
	// +optional
	Version *AutoscalerVersion `json:"version,omitempty"`
	// env are extra environment variables of the autoscaler container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`
	// envFrom are extra sources of environment variables of the autoscaler container.
	// +optional
	EnvFrom []corev1.EnvFromSource `json:"envFrom,omitempty"`
	// volumeMounts are extra volume mounts of the autoscaler container (for example TLS
	// material).
	// +optional
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`
	// command replaces the autoscaler container's command.
	// +optional
	Command []string `json:"command,omitempty"`
	// args replaces the autoscaler container's arguments.
	// +optional
	Args []string `json:"args,omitempty"`
}

// UpscalingMode is how fast the autoscaler adds workers.
//
// +kubebuilder:validation:Enum=Default;Aggressive;Conservative
type UpscalingMode string

// AutoscalerVersion is the generation of the Ray autoscaler.
//
// +kubebuilder:validation:Enum=v1;v2
type AutoscalerVersion string

// RayClusterUpgradeType is what happens to running pods when their template changes.
//
// +kubebuilder:validation:Enum=Recreate;None
type RayClusterUpgradeType string

const (
	// RayClusterRecreate deletes every pod and creates it anew from the changed template.
	RayClusterRecreate RayClusterUpgradeType = "Recreate"
	// RayClusterUpgradeNone leaves running pods as they are.
	RayClusterUpgradeNone RayClusterUpgradeType = "None"
)

// RayClusterUpgradeStrategy says how pods follow a changed template.
type RayClusterUpgradeStrategy struct {
	// type is Recreate or None.
	// +optional
	Type *RayClusterUpgradeType `json:"type,omitempty"`
}

// AuthMode is how Ray authenticates its clients.
//
// +kubebuilder:validation:Enum=disabled;token
type AuthMode string

// The authentication modes of a Ray cluster.
const (
	// AuthModeDisabled runs Ray without authentication.
	AuthModeDisabled AuthMode = "disabled"
	// AuthModeToken makes every Ray API and internal call present a shared token.
	AuthModeToken AuthMode = "token"
)

// AuthOptions configures authentication of the Ray cluster.
type AuthOptions struct {
	// enableK8sTokenAuth makes Ray check clients' Kubernetes ServiceAccount tokens with the
	// Kubernetes API server.
	// +optional
	EnableK8sTokenAuth *bool `json:"enableK8sTokenAuth,omitempty"`
	// secretName is an existing Secret whose key auth_token holds the token; when unset a Secret
	// is generated for the cluster.
	// +optional
	SecretName *string `json:"secretName,omitempty"`
	// mode is disabled or token (the default).
	// +optional
	Mode AuthMode `json:"mode,omitempty"`
}

// GcsFaultToleranceBackend is where the GCS keeps its state.
//
// +kubebuilder:validation:Enum=redis;rocksdb
type GcsFaultToleranceBackend string

// The GCS fault-tolerance backends.
const (
	// GcsFaultToleranceBackendRedis keeps the GCS state in an external Redis server.
	GcsFaultToleranceBackendRedis GcsFaultToleranceBackend = "redis"
	// GcsFaultToleranceBackendRocksDB keeps the GCS state in RocksDB on a volume of the head.
	GcsFaultToleranceBackendRocksDB GcsFaultToleranceBackend = "rocksdb"
)

// GcsFaultToleranceOptions configures GCS fault tolerance.
type GcsFaultToleranceOptions struct {
	// backend is redis (an external Redis, the default) or rocksdb (a volume on the head pod).
	// It cannot be changed once set.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.gcsFaultToleranceOptions.backend is immutable"
	// +optional
	Backend GcsFaultToleranceBackend `json:"backend,omitempty"`
	// redisUsername is the Redis user name, given inline or from a Secret.
	// +optional
	RedisUsername *RedisCredential `json:"redisUsername,omitempty"`
	// redisPassword is the Redis password, given inline or from a Secret.
	// +optional
	RedisPassword *RedisCredential `json:"redisPassword,omitempty"`
	// externalStorageNamespace separates the state of clusters that share one Redis.
	// +optional
	ExternalStorageNamespace string `json:"externalStorageNamespace,omitempty"`
	// redisAddress is host:port of the Redis server (redis backend).
	// +optional
	RedisAddress string `json:"redisAddress,omitempty"`
	// storage is the volume that holds the GCS state (rocksdb backend).
	// +optional
	Storage *GcsEmbeddedStorage `json:"storage,omitempty"`
}

// GcsEmbeddedStorage is the persistent volume of the rocksdb GCS backend.
type GcsEmbeddedStorage struct {
	// claimName is an existing PersistentVolumeClaim to use as is; when empty the operator
	// manages a claim from size, storageClassName and accessModes.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// size of the managed claim; 1Gi when unset.
	// +optional
	Size *resource.Quantity `json:"size,omitempty"`
	// storageClassName of the managed claim; the cluster default when unset.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
	// accessModes of the managed claim; ReadWriteOnce when unset.
	// +listType=atomic
	// +optional
	AccessModes []corev1.PersistentVolumeAccessMode `json:"accessModes,omitempty"`
	// subPath mounts a directory of the volume instead of its root.
	// +optional
	SubPath string `json:"subPath,omitempty"`
	// deletionPolicy of the managed claim: DeleteWithCluster (the default) or Retain.
	// +optional
	DeletionPolicy *GCSStorageDeletionPolicy `json:"deletionPolicy,omitempty"`
}

// GCSStorageDeletionPolicy is what happens to the managed GCS volume claim with its cluster.
//
// +kubebuilder:validation:Enum=DeleteWithCluster;Retain
type GCSStorageDeletionPolicy string

// RedisCredential is a Redis user name or password, inline or from another source.
type RedisCredential struct {
	// valueFrom reads the value from a Secret, a ConfigMap or a field.
	// +optional
	ValueFrom *corev1.EnvVarSource `json:"valueFrom,omitempty"`
	// value is the literal value.
	// +optional
	Value string `json:"value,omitempty"`
}

// HistoryServerOptions configures the log collector of the Ray history server.
type HistoryServerOptions struct {
	// collectorOptions configures the collector sidecar.
	// +optional
	CollectorOptions *CollectorOptions `json:"collectorOptions,omitempty"`
}

// CollectorOptions configures the history-server collector sidecar.
type CollectorOptions struct {
	// image of the collector container.
	// +optional
	Image *string `json:"image,omitempty"`
	// imagePullPolicy of the collector container.
	// +optional
	ImagePullPolicy *corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// resources of the collector container.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
	// env are extra environment variables of the collector container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`
}

// TLSOptions configures mutual TLS between the Ray processes.
type TLSOptions struct {
	// enabled turns mutual TLS on; off when unset.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// NetworkPolicyMode is which traffic the cluster's NetworkPolicies deny.
//
// +kubebuilder:validation:Enum=DenyAll;DenyAllIngress;DenyAllEgress
type NetworkPolicyMode string

// NetworkPolicyConfig configures the NetworkPolicies of the cluster.
type NetworkPolicyConfig struct {
	// mode is DenyAll (the default), DenyAllIngress or DenyAllEgress. DNS is not allowed by
	// itself: with egress denied, add a rule for it, as workers resolve the head by name.
	// +kubebuilder:default=DenyAll
	// +optional
	Mode *NetworkPolicyMode `json:"mode,omitempty"`
	// head are extra rules of the head pod's policy.
	// +optional
	Head *NetworkPolicyRules `json:"head,omitempty"`
	// worker are extra rules of the workers' policy, for groups without their own entry.
	// +optional
	Worker *NetworkPolicyRules `json:"worker,omitempty"`
	// workerGroups are extra rules for single worker groups; an entry replaces worker for its
	// group.
	// +listType=map
	// +listMapKey=groupName
	// +optional
	WorkerGroups []WorkerGroupNetworkPolicyRules `json:"workerGroups,omitempty"`
}

// WorkerGroupNetworkPolicyRules are the extra network rules of one worker group.
type WorkerGroupNetworkPolicyRules struct {
	// groupName is the worker group the rules apply to.
	// +required
	GroupName string `json:"groupName"`

	NetworkPolicyRules `json:",inline"`
}

// NetworkPolicyRules are extra ingress and egress rules appended to a base policy.
type NetworkPolicyRules struct {
	// ingressRules are allowed incoming traffic, used when ingress is denied.
	// +optional
	IngressRules []networkingv1.NetworkPolicyIngressRule `json:"ingressRules,omitempty"`
	// egressRules are allowed outgoing traffic, used when egress is denied.
	// +optional
	EgressRules []networkingv1.NetworkPolicyEgressRule `json:"egressRules,omitempty"`
}
