//go:build integration

package raycluster_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// clusterBuilder builds RayClusters for the integration tests:
// newCluster(ns, "demo").withGroup("small", 3).create(t).
type clusterBuilder struct{ c rayv1.RayCluster }

func newCluster(ns, name string) *clusterBuilder {
	return &clusterBuilder{c: rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: rayv1.RayClusterSpec{
			HeadGroupSpec: rayv1.HeadGroupSpec{
				RayStartParams: map[string]string{},
				Template:       podTemplate("ray-head"),
			},
		},
	}}
}

func podTemplate(container string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name:  container,
		Image: "rayproject/ray:2.52.0",
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("500m"),
				corev1.ResourceMemory: resource.MustParse("1Gi"),
			},
		},
	}}}}
}

// withGroup adds a worker group with replicas replicas.
func (b *clusterBuilder) withGroup(name string, replicas int32) *clusterBuilder {
	b.c.Spec.WorkerGroupSpecs = append(b.c.Spec.WorkerGroupSpecs, rayv1.WorkerGroupSpec{
		GroupName:      name,
		Replicas:       ptr.To(replicas),
		RayStartParams: map[string]string{},
		Template:       podTemplate("ray-worker"),
	})
	return b
}

// lastGroup returns the group added last, to change it.
func (b *clusterBuilder) lastGroup() *rayv1.WorkerGroupSpec {
	return &b.c.Spec.WorkerGroupSpecs[len(b.c.Spec.WorkerGroupSpecs)-1]
}

func (b *clusterBuilder) edit(f func(c *rayv1.RayCluster)) *clusterBuilder {
	f(&b.c)
	return b
}

func (b *clusterBuilder) obj() *rayv1.RayCluster { return b.c.DeepCopy() }

// create creates the cluster in the API server and returns it as stored.
func (b *clusterBuilder) create(t *testing.T) *rayv1.RayCluster {
	t.Helper()
	c := b.obj()
	if err := env.Client.Create(context.Background(), c); err != nil {
		t.Fatalf("creating RayCluster %s: %v", c.Name, err)
	}
	return c
}

// update changes the stored cluster with f, retrying on conflicts.
func update(t *testing.T, c *rayv1.RayCluster, f func(c *rayv1.RayCluster)) {
	t.Helper()
	eventually(t, "update of "+c.Name, func() error {
		current := getCluster(t, c)
		f(current)
		return env.Client.Update(context.Background(), current)
	})
}
