package raypod

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// ownerReference makes the RayCluster the controller of an object, so that deleting the
// cluster deletes the object and the controller is told about the object's changes.
func ownerReference(c *rayv1.RayCluster) metav1.OwnerReference {
	return *metav1.NewControllerRef(c, rayv1.GroupVersion.WithKind("RayCluster"))
}

// ownedMeta is the metadata shared by every object the cluster owns.
func ownedMeta(c *rayv1.RayCluster, name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            name,
		Namespace:       c.Namespace,
		Labels:          labels,
		OwnerReferences: []metav1.OwnerReference{ownerReference(c)},
	}
}
