package raypod

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

const testImage = "rayproject/ray:2.52.0"

// clusterBuilder builds RayClusters for tests: makeCluster("demo").withWorkers("small", 2).obj().
type clusterBuilder struct {
	c *rayv1.RayCluster
}

func makeCluster(name string) *clusterBuilder {
	return &clusterBuilder{c: &rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: "uid-1"},
		Spec: rayv1.RayClusterSpec{
			RayVersion: "2.9.0",
			HeadGroupSpec: rayv1.HeadGroupSpec{
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "ray-head", Image: testImage}},
				}},
			},
		},
	}}
}

func (b *clusterBuilder) obj() *rayv1.RayCluster { return b.c }

func (b *clusterBuilder) withWorkers(name string, replicas int32) *clusterBuilder {
	b.c.Spec.WorkerGroupSpecs = append(b.c.Spec.WorkerGroupSpecs, rayv1.WorkerGroupSpec{
		GroupName:   name,
		Replicas:    ptr.To(replicas),
		MinReplicas: ptr.To[int32](0),
		MaxReplicas: ptr.To[int32](10),
		NumOfHosts:  1,
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "ray-worker", Image: testImage}},
		}},
	})
	return b
}

// withHead changes the head group spec.
func (b *clusterBuilder) withHead(f func(h *rayv1.HeadGroupSpec)) *clusterBuilder {
	f(&b.c.Spec.HeadGroupSpec)
	return b
}

// withHeadContainer changes the head's Ray container.
func (b *clusterBuilder) withHeadContainer(f func(ctr *corev1.Container)) *clusterBuilder {
	f(&b.c.Spec.HeadGroupSpec.Template.Spec.Containers[0])
	return b
}

// withGroup changes the last worker group added.
func (b *clusterBuilder) withGroup(f func(g *rayv1.WorkerGroupSpec)) *clusterBuilder {
	f(&b.c.Spec.WorkerGroupSpecs[len(b.c.Spec.WorkerGroupSpecs)-1])
	return b
}

// withWorkerContainer changes the Ray container of the last worker group added.
func (b *clusterBuilder) withWorkerContainer(f func(ctr *corev1.Container)) *clusterBuilder {
	return b.withGroup(func(g *rayv1.WorkerGroupSpec) { f(&g.Template.Spec.Containers[0]) })
}

func (b *clusterBuilder) withHeadParams(kv ...string) *clusterBuilder {
	return b.withHead(func(h *rayv1.HeadGroupSpec) { h.RayStartParams = pairs(kv...) })
}

func (b *clusterBuilder) withWorkerParams(kv ...string) *clusterBuilder {
	return b.withGroup(func(g *rayv1.WorkerGroupSpec) { g.RayStartParams = pairs(kv...) })
}

func (b *clusterBuilder) withAnnotation(key, value string) *clusterBuilder {
	if b.c.Annotations == nil {
		b.c.Annotations = map[string]string{}
	}
	b.c.Annotations[key] = value
	return b
}

func (b *clusterBuilder) autoscaling() *clusterBuilder {
	b.c.Spec.EnableInTreeAutoscaling = ptr.To(true)
	return b
}

func pairs(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func resources(kv ...string) corev1.ResourceList {
	list := corev1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		list[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return list
}

func wantOwner() []metav1.OwnerReference {
	return []metav1.OwnerReference{{
		APIVersion:         "ray.io/v1",
		Kind:               "RayCluster",
		Name:               "demo",
		UID:                "uid-1",
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}}
}

// envNamed returns the container's variables with one of the names, in their order.
func envNamed(ctr *corev1.Container, names ...string) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, e := range ctr.Env {
		if slices.Contains(names, e.Name) {
			out = append(out, e)
		}
	}
	return out
}

func envValue(ctr *corev1.Container, name string) string {
	for _, e := range ctr.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
