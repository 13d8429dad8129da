package operator

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// Label keys the cache selects on. They are the ones every object the operator creates carries.
const (
	labelIsRayNode = "ray.io/is-ray-node"
	labelCluster   = "ray.io/cluster"
)

// cacheOptions limits the informer cache to what the controller reads, so that the operator's
// memory grows with the number of Ray pods rather than with everything in the cluster: pods,
// services, ingresses and RBAC objects are cached only when they belong to a Ray cluster, and pods
// are trimmed to the fields the controller looks at.
func cacheOptions(namespaces []string) (cache.Options, error) {
	isRayNode, err := labels.NewRequirement(labelIsRayNode, selection.Equals, []string{"yes"})
	if err != nil {
		return cache.Options{}, fmt.Errorf("building the pod selector: %w", err)
	}
	ofRayCluster, err := labels.NewRequirement(labelCluster, selection.Exists, nil)
	if err != nil {
		return cache.Options{}, fmt.Errorf("building the selector of owned objects: %w", err)
	}
	rayPods := labels.NewSelector().Add(*isRayNode)
	owned := labels.NewSelector().Add(*ofRayCluster)

	opts := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}:            {Label: rayPods, Transform: trimPod},
			&corev1.Service{}:        {Label: owned},
			&networkingv1.Ingress{}:  {Label: owned},
			&corev1.ServiceAccount{}: {Label: owned},
			&corev1.Secret{}:         {Label: owned},
			&rbacv1.Role{}:           {Label: owned},
			&rbacv1.RoleBinding{}:    {Label: owned},
			&rayv1.RayCluster{}:      {},
		},
	}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return opts, nil
}

var _ toolscache.TransformFunc = trimPod

// trimPod keeps the parts of a pod the controller reads: identity, labels, owners and deletion
// state; the restart policy and container names; and the status. Everything else (volumes, env,
// probes, managed fields, most annotations) is dropped before the pod enters the cache. The
// controller never writes a cached pod back, so nothing is lost by trimming.
func trimPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil // a tombstone of a deleted pod: keep as is
	}
	trimmed := &corev1.Pod{
		TypeMeta:   pod.TypeMeta,
		ObjectMeta: metav1ObjectMeta(pod),
		Spec: corev1.PodSpec{
			RestartPolicy: pod.Spec.RestartPolicy,
			NodeName:      pod.Spec.NodeName,
			Containers:    make([]corev1.Container, len(pod.Spec.Containers)),
		},
		Status: trimPodStatus(pod.Status),
	}
	for i, c := range pod.Spec.Containers {
		trimmed.Spec.Containers[i] = corev1.Container{Name: c.Name}
	}
	return trimmed, nil
}

// metav1ObjectMeta copies the metadata the controller reads.
func metav1ObjectMeta(pod *corev1.Pod) metav1.ObjectMeta {
	m := pod.ObjectMeta
	return metav1.ObjectMeta{
		Name:                       m.Name,
		GenerateName:               m.GenerateName,
		Namespace:                  m.Namespace,
		UID:                        m.UID,
		ResourceVersion:            m.ResourceVersion,
		CreationTimestamp:          m.CreationTimestamp,
		DeletionTimestamp:          m.DeletionTimestamp,
		DeletionGracePeriodSeconds: m.DeletionGracePeriodSeconds,
		Labels:                     m.Labels,
		Annotations:                keptAnnotations(m.Annotations),
		OwnerReferences:            m.OwnerReferences,
	}
}

// keptAnnotations keeps the one pod annotation the controller reads: the hash of the spec the
// pod was built from.
func keptAnnotations(in map[string]string) map[string]string {
	hash, ok := in[raypod.SpecHashAnnotation]
	if !ok {
		return nil
	}
	return map[string]string{raypod.SpecHashAnnotation: hash}
}

// trimPodStatus keeps the phase, conditions, IP and container states.
func trimPodStatus(s corev1.PodStatus) corev1.PodStatus {
	out := corev1.PodStatus{
		Phase:   s.Phase,
		Reason:  s.Reason,
		Message: s.Message,
		PodIP:   s.PodIP,
	}
	for _, c := range s.Conditions {
		out.Conditions = append(out.Conditions, corev1.PodCondition{
			Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message,
			LastTransitionTime: c.LastTransitionTime,
		})
	}
	for _, c := range s.ContainerStatuses {
		out.ContainerStatuses = append(out.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Ready: c.Ready, RestartCount: c.RestartCount, State: c.State,
		})
	}
	return out
}
