package service

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// withEvents converts RayClusters to API clusters with the events about each cluster and its
// pods. It reads the events and the Ray pods once per namespace. Events are an addition: when
// they cannot be read, the clusters are returned without them and the failure is logged.
func (s *Service) withEvents(ctx context.Context, items []rayv1.RayCluster) []*apiv1.Cluster {
	out := make([]*apiv1.Cluster, 0, len(items))
	byNamespace := map[string][]*rayv1.RayCluster{}
	for i := range items {
		byNamespace[items[i].Namespace] = append(byNamespace[items[i].Namespace], &items[i])
	}
	events := map[string][]corev1.Event{} // by namespace/name of the cluster
	for ns, clusters := range byNamespace {
		found, err := s.eventsOf(ctx, ns, clusters)
		if err != nil {
			log.FromContext(ctx).Info("Cannot read the events of clusters", "namespace", ns,
				"error", err.Error())
			continue
		}
		for name, evs := range found {
			events[ns+"/"+name] = evs
		}
	}
	for i := range items {
		c := convert.RayClusterToCluster(&items[i])
		c.Events = convert.Events(events[items[i].Namespace+"/"+items[i].Name])
		out = append(out, c)
	}
	return out
}

// eventsOf returns the events of namespace ns about each of the clusters (all of that
// namespace) or their pods, keyed by cluster name. A pod belongs to a cluster by its
// ray.io/cluster label while it exists, and by the name the operator gives its pods after.
func (s *Service) eventsOf(ctx context.Context, ns string, clusters []*rayv1.RayCluster) (
	map[string][]corev1.Event, error) {
	// Only the pods' names and labels are needed: read their metadata alone.
	pods := &metav1.PartialObjectMetadataList{}
	pods.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("PodList"))
	if err := s.client.List(ctx, pods, client.InNamespace(ns),
		client.HasLabels{raypod.ClusterLabel}); err != nil {
		return nil, err
	}
	var list corev1.EventList
	if err := s.client.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, c := range clusters {
		names[c.Name] = true
	}
	podCluster := map[string]string{}
	for _, p := range pods.Items {
		podCluster[p.Name] = p.Labels[raypod.ClusterLabel]
	}
	out := map[string][]corev1.Event{}
	for _, e := range list.Items {
		var owner string
		switch e.InvolvedObject.Kind {
		case "RayCluster":
			owner = e.InvolvedObject.Name
		case "Pod":
			owner = podOwner(e.InvolvedObject.Name, podCluster, clusters)
		}
		if names[owner] {
			out[owner] = append(out[owner], e)
		}
	}
	return out, nil
}

// podOwner is the cluster of a pod: by label while the pod exists, else by the prefix of the
// names the operator generates (<cluster>-head-, <cluster>-<group>-worker-).
func podOwner(pod string, podCluster map[string]string, clusters []*rayv1.RayCluster) string {
	if c, ok := podCluster[pod]; ok {
		return c
	}
	for _, c := range clusters {
		if strings.HasPrefix(pod, raypod.HeadPodGenerateName(c)) {
			return c.Name
		}
		for _, g := range c.Spec.WorkerGroupSpecs {
			if strings.HasPrefix(pod, raypod.WorkerPodGenerateName(c, g.GroupName)) {
				return c.Name
			}
		}
	}
	return ""
}
