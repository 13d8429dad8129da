// Package v1alpha1 holds the ray.io/v1alpha1 API, served so that RayCluster manifests written for
// it keep working. It has the ray.io/v1 schema, which accepts and ignores the fields that older
// manifests still carry. Objects are stored as ray.io/v1.
//
// +kubebuilder:object:generate=true
// +groupName=ray.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every type in this package.
	GroupVersion = schema.GroupVersion{Group: "ray.io", Version: "v1alpha1"}

	// SchemeBuilder registers this package's types with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &RayCluster{}, &RayClusterList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
