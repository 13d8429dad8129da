package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// RayCluster is the deprecated ray.io/v1alpha1 form of a Ray cluster. Its schema is the one of
// ray.io/v1, which accepts and ignores the fields older manifests carry
// (headGroupSpec.replicas).
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=all
// +kubebuilder:subresource:status
// +kubebuilder:deprecatedversion:warning="ray.io/v1alpha1 RayCluster is deprecated; use ray.io/v1"
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

	// spec describes the Ray cluster the user wants; it is the ray.io/v1 spec, which still
	// accepts the fields of older manifests.
	// +required
	Spec rayv1.RayClusterSpec `json:"spec,omitempty"`
	// status is what the operator last observed of the cluster.
	// +optional
	Status rayv1.RayClusterStatus `json:"status,omitempty"`
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
