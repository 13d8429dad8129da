package v1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterState is the one-word summary of a cluster's health.
type ClusterState string

// The values of status.state. An empty state means the cluster is still being provisioned.
const (
	// Ready means the head pod is running and ready and every desired pod has been running and
	// ready at least once since the cluster was created or last resumed.
	Ready ClusterState = "ready"
	// Unhealthy means rayStartParams are misconfigured; pods are created but Ray may not work.
	Unhealthy ClusterState = "unhealthy"
	// Failed means a severe problem keeps the head or workers from starting: an object the
	// cluster needs was refused, a Ray container cannot start, or the spec is invalid.
	Failed ClusterState = "failed"
	// Suspended means spec.suspend is true and no Ray pod is left.
	Suspended ClusterState = "suspended"
)

// RayClusterStatus is what the operator observed of a Ray cluster.
type RayClusterStatus struct {
	// state summarises the cluster: ready, unhealthy, failed, suspended, or empty while it is
	// being provisioned.
	// +optional
	State ClusterState `json:"state,omitempty"`
	// desiredCPU is the CPU the cluster asks for: the head pod plus every desired worker pod.
	// +optional
	DesiredCPU resource.Quantity `json:"desiredCPU,omitempty"`
	// desiredMemory is the memory the cluster asks for.
	// +optional
	DesiredMemory resource.Quantity `json:"desiredMemory,omitempty"`
	// desiredGPU is the number of GPUs (every resource whose name ends in "gpu") the cluster asks
	// for.
	// +optional
	DesiredGPU resource.Quantity `json:"desiredGPU,omitempty"`
	// desiredTPU is the number of google.com/tpu the cluster asks for.
	// +optional
	DesiredTPU resource.Quantity `json:"desiredTPU,omitempty"`
	// lastUpdateTime is when the status last changed.
	// +nullable
	// +optional
	LastUpdateTime *metav1.Time `json:"lastUpdateTime,omitempty"`
	// stateTransitionTimes maps each state to when the cluster last entered it.
	// +optional
	StateTransitionTimes map[ClusterState]*metav1.Time `json:"stateTransitionTimes,omitempty"`
	// endpoints maps each named port of the head Service to the port to connect to: the node port
	// when the Service has one, else the target port.
	// +optional
	Endpoints map[string]string `json:"endpoints,omitempty"`
	// head tells where the head pod and head Service are.
	// +optional
	Head HeadInfo `json:"head,omitempty"`
	// reason explains in one sentence why the state is not ready; empty when it is.
	// +optional
	Reason string `json:"reason,omitempty"`
	// conditions are the detailed observations behind the state: HeadPodReady,
	// RayClusterProvisioned, ReplicaFailure, RayClusterSuspending and RayClusterSuspended.
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
	// readyWorkerReplicas is the number of worker pods that are running and ready.
	// +optional
	ReadyWorkerReplicas int32 `json:"readyWorkerReplicas,omitempty"`
	// availableWorkerReplicas is the number of worker pods that are running, ready or not.
	// +optional
	AvailableWorkerReplicas int32 `json:"availableWorkerReplicas,omitempty"`
	// desiredWorkerReplicas is the number of worker pods wanted: the sum over groups of
	// replicas (clamped to [minReplicas, maxReplicas]) times numOfHosts.
	// +optional
	DesiredWorkerReplicas int32 `json:"desiredWorkerReplicas,omitempty"`
	// minWorkerReplicas is the sum over groups of minReplicas times numOfHosts, capped at
	// 2147483647.
	// +optional
	MinWorkerReplicas int32 `json:"minWorkerReplicas,omitempty"`
	// maxWorkerReplicas is the sum over groups of maxReplicas times numOfHosts, capped at
	// 2147483647.
	// +optional
	MaxWorkerReplicas int32 `json:"maxWorkerReplicas,omitempty"`
	// observedGeneration is the metadata.generation this status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
}

// HeadInfo tells where the head pod and the head Service are.
type HeadInfo struct {
	// podIP is the head pod's IP address; empty while it has none.
	// +optional
	PodIP string `json:"podIP,omitempty"`
	// serviceIP is the head Service's cluster IP, or the head pod's IP when the Service is
	// headless.
	// +optional
	ServiceIP string `json:"serviceIP,omitempty"`
	// podName is the name of the head pod.
	// +optional
	PodName string `json:"podName,omitempty"`
	// serviceName is the name of the head Service.
	// +optional
	ServiceName string `json:"serviceName,omitempty"`
}

// RayClusterConditionType is the type of a condition in status.conditions.
type RayClusterConditionType string

// The condition types of a RayCluster. They match KubeRay's so that existing tooling keeps
// working.
const (
	// HeadPodReady mirrors the head pod's Ready condition.
	HeadPodReady RayClusterConditionType = "HeadPodReady"
	// RayClusterProvisioned becomes true once every desired pod has been running and ready, and
	// stays true until a suspend completes.
	RayClusterProvisioned RayClusterConditionType = "RayClusterProvisioned"
	// RayClusterReplicaFailure is true while the API server refuses to create or delete a pod.
	RayClusterReplicaFailure RayClusterConditionType = "ReplicaFailure"
	// RayClusterSuspending is true from spec.suspend until every pod is gone.
	RayClusterSuspending RayClusterConditionType = "RayClusterSuspending"
	// RayClusterSuspended is true while the cluster is suspended and has no pod left.
	RayClusterSuspended RayClusterConditionType = "RayClusterSuspended"
)

// The reasons of RayCluster conditions.
const (
	// AllPodRunningAndReadyFirstTime is the reason of a true RayClusterProvisioned.
	AllPodRunningAndReadyFirstTime = "AllPodRunningAndReadyFirstTime"
	// RayClusterPodsProvisioning is the reason of a false RayClusterProvisioned.
	RayClusterPodsProvisioning = "RayClusterPodsProvisioning"
	// HeadPodNotFound is the reason of a false HeadPodReady when there is no head pod.
	HeadPodNotFound = "HeadPodNotFound"
	// HeadPodRunningAndReady is the reason of a true HeadPodReady.
	HeadPodRunningAndReady = "HeadPodRunningAndReady"
	// UnknownReason is used when nothing better is known.
	UnknownReason = "Unknown"
	// FailedCreateHeadPod is the reason of ReplicaFailure when the head pod cannot be created.
	FailedCreateHeadPod = "FailedCreateHeadPod"
	// FailedCreateWorkerPod is the reason of ReplicaFailure when a worker pod cannot be created.
	FailedCreateWorkerPod = "FailedCreateWorkerPod"
	// FailedDeleteHeadPod is the reason of ReplicaFailure when the head pod cannot be deleted.
	FailedDeleteHeadPod = "FailedDeleteHeadPod"
	// FailedDeleteWorkerPod is the reason of ReplicaFailure when a worker pod cannot be deleted.
	FailedDeleteWorkerPod = "FailedDeleteWorkerPod"
	// FailedDeleteAllPods is the reason of ReplicaFailure when suspending cannot delete the pods.
	FailedDeleteAllPods = "FailedDeleteAllPods"
)
