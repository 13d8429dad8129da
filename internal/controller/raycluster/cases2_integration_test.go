//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Case 13: a cluster with minReplicas > maxReplicas that got past admission (here: created
// while the CRD lacked the rule, as under an older CRD) gets no pods and a failed state whose
// reason names the group and both numbers.
func TestCase13InvalidSpecPastAdmission(t *testing.T) {
	ns := newNamespace(t)
	b := newCluster(ns, "bad-range").withGroup("small", 2)
	g := b.lastGroup()
	g.MinReplicas, g.MaxReplicas = ptr.To[int32](3), ptr.To[int32](1)
	var c *rayv1.RayCluster
	withoutGroupRules(t, func() error {
		c = b.obj()
		return env.Client.Create(context.Background(), c)
	})

	got := waitForState(t, c, rayv1.Failed)
	for _, want := range []string{"small", "minReplicas", "3", "maxReplicas", "1"} {
		if !strings.Contains(got.Status.Reason, want) {
			t.Errorf("reason %q does not name %q", got.Status.Reason, want)
		}
	}
	if got.Status.ObservedGeneration != got.Generation {
		t.Errorf("observedGeneration %d, want %d", got.Status.ObservedGeneration, got.Generation)
	}
	waitForEvent(t, c, "InvalidSpec")
	if pods := listPods(t, c, nil); len(pods) != 0 {
		t.Errorf("%d pods created for an invalid spec, want 0", len(pods))
	}
}

// withoutGroupRules runs create while the CRD's validation rules on worker groups are removed,
// retrying until the API server has taken the change, and puts the rules back afterwards.
func withoutGroupRules(t *testing.T, create func() error) {
	t.Helper()
	ctx := context.Background()
	crd := &unstructured.Unstructured{}
	crd.SetAPIVersion("apiextensions.k8s.io/v1")
	crd.SetKind("CustomResourceDefinition")
	key := types.NamespacedName{Name: "rayclusters.ray.io"}
	if err := env.Client.Get(ctx, key, crd); err != nil {
		t.Fatal(err)
	}
	original := crd.DeepCopy()
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		items := v.(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
		for _, step := range []string{"spec", "workerGroupSpecs"} {
			items = items["properties"].(map[string]any)[step].(map[string]any)
		}
		delete(items["items"].(map[string]any), "x-kubernetes-validations")
	}
	if err := unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Update(ctx, crd); err != nil {
		t.Fatal(err)
	}
	defer func() {
		restored := &unstructured.Unstructured{}
		restored.SetGroupVersionKind(crd.GroupVersionKind())
		if err := env.Client.Get(ctx, key, restored); err != nil {
			t.Fatal(err)
		}
		original.SetResourceVersion(restored.GetResourceVersion())
		if err := env.Client.Update(ctx, original); err != nil {
			t.Fatalf("restoring the CRD: %v", err)
		}
	}()
	eventually(t, "create past admission", create)
}

// Case 15: object-store-memory larger than the memory request makes the cluster unhealthy,
// unless slow storage is allowed, which only warns; a non-number makes it unhealthy too.
func TestCase15ObjectStoreMemory(t *testing.T) {
	cases := map[string]struct {
		value     string
		slow      bool
		wantState rayv1.ClusterState
	}{
		"larger than the memory request":  {value: "3000000000", wantState: rayv1.Unhealthy},
		"larger, slow storage allowed":    {value: "3000000000", slow: true, wantState: rayv1.Ready},
		"not a number":                    {value: "abc", wantState: rayv1.Unhealthy},
		"smaller than the memory request": {value: "1000000000", wantState: rayv1.Ready},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ns := newNamespace(t)
			c := newCluster(ns, "osm").edit(func(c *rayv1.RayCluster) {
				h := &c.Spec.HeadGroupSpec
				h.RayStartParams["object-store-memory"] = tc.value
				ray := &h.Template.Spec.Containers[0]
				ray.Resources.Requests[corev1.ResourceMemory] = resource.MustParse("2Gi")
				if tc.slow {
					ray.Env = append(ray.Env, corev1.EnvVar{Name: "RAY_OBJECT_STORE_ALLOW_SLOW_STORAGE", Value: "1"})
				}
			}).create(t)
			waitForPods(t, c, headLabels, 1)
			runAll(t, c)
			got := waitForState(t, c, tc.wantState)
			if tc.wantState == rayv1.Unhealthy && !strings.Contains(got.Status.Reason, "object-store-memory") {
				t.Errorf("reason %q does not name object-store-memory", got.Status.Reason)
			}
			if tc.wantState == rayv1.Unhealthy || tc.slow {
				waitForEvent(t, c, "RayConfigError")
			}
		})
	}
}

// Case 16: include-dashboard "false" renders as --include-dashboard=false, and a worker with a
// 500m CPU limit gets --num-cpus=1.
func TestCase16RayStartRendering(t *testing.T) {
	ns := newNamespace(t)
	b := newCluster(ns, "render").withGroup("small", 1)
	b.lastGroup().Template.Spec.Containers[0].Resources.Limits = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("500m"),
	}
	c := b.edit(func(c *rayv1.RayCluster) {
		c.Spec.HeadGroupSpec.RayStartParams["include-dashboard"] = "false"
	}).create(t)
	head := waitForPods(t, c, headLabels, 1)[0]
	worker := waitForPods(t, c, workerLabels, 1)[0]
	for _, tc := range []struct {
		pod  corev1.Pod
		want string
	}{{head, "--include-dashboard=false"}, {worker, "--num-cpus=1"}} {
		cmd := containerCommand(tc.pod.Spec.Containers[0])
		if !strings.Contains(cmd, tc.want) {
			t.Errorf("pod %s runs %q, which lacks %s", tc.pod.Name, cmd, tc.want)
		}
	}
}

// containerCommand is a container's command and arguments as one string.
func containerCommand(c corev1.Container) string {
	return fmt.Sprint(strings.Join(c.Command, " "), " ", strings.Join(c.Args, " "))
}

// A cluster deleted and created again under the same name, while the old cluster's pods are
// still there (no garbage collector runs here), gets pods of its own: the old head does not make
// it ready and the old workers are not its to delete.
func TestRecreatedClusterIgnoresOldPods(t *testing.T) {
	ns := newNamespace(t)
	old := newCluster(ns, "again").withGroup("small", 1).create(t)
	oldPods := waitForPods(t, old, nil, 2)
	runAll(t, old)
	waitForState(t, old, rayv1.Ready)
	if err := env.Client.Delete(context.Background(), old); err != nil {
		t.Fatal(err)
	}

	c := newCluster(ns, "again").withGroup("small", 1).create(t)
	eventually(t, "pods of the new cluster", func() error {
		owned := 0
		for _, p := range listPods(t, c, nil) {
			if metav1.IsControlledBy(&p, c) {
				owned++
			}
		}
		if owned != 2 {
			return fmt.Errorf("%d pods owned by the new cluster", owned)
		}
		return nil
	})
	for _, p := range oldPods {
		current := &corev1.Pod{}
		if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(&p), current); err != nil {
			t.Errorf("old pod %s: %v", p.Name, err)
		} else if current.DeletionTimestamp != nil {
			t.Errorf("the new cluster deleted the old cluster's pod %s", p.Name)
		}
	}
	if got := getCluster(t, c); got.Status.State == rayv1.Ready {
		t.Errorf("the new cluster is ready on the old cluster's pods")
	}
}
