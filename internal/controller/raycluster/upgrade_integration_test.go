//go:build integration

package raycluster_test

import (
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

const newImage = "rayproject/ray:2.53.0"

// readyWithUpgrade creates a cluster with one group of workers and the upgrade strategy, and
// returns it once ready, with its pods.
func readyWithUpgrade(t *testing.T, name string, workers int32,
	kind rayv1.RayClusterUpgradeType) (*rayv1.RayCluster, []corev1.Pod) {
	t.Helper()
	c := newCluster(newNamespace(t), name).withGroup("small", workers).edit(func(c *rayv1.RayCluster) {
		c.Spec.UpgradeStrategy = &rayv1.RayClusterUpgradeStrategy{Type: ptr.To(kind)}
	}).create(t)
	pods := waitForPods(t, c, nil, int(workers)+1)
	runAll(t, c)
	waitForState(t, c, rayv1.Ready)
	return c, pods
}

func podUIDs(pods []corev1.Pod) []types.UID {
	var out []types.UID
	for _, p := range pods {
		out = append(out, p.UID)
	}
	slices.Sort(out)
	return out
}

// imagesOf counts the live pods of the cluster by the image of their Ray container.
func imagesOf(t *testing.T, c *rayv1.RayCluster) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range listPods(t, c, nil) {
		if p.DeletionTimestamp == nil {
			out[p.Spec.Containers[0].Image]++
		}
	}
	return out
}

// TestUpgradeStrategyRecreate: with upgradeStrategy Recreate, scaling keeps the pods, and a
// change of the pod template replaces every pod, head included, with pods of the new spec.
func TestUpgradeStrategyRecreate(t *testing.T) {
	c, first := readyWithUpgrade(t, "recreate", 2, rayv1.RayClusterRecreate)

	update(t, c, func(c *rayv1.RayCluster) { c.Spec.WorkerGroupSpecs[0].Replicas = ptr.To[int32](3) })
	scaled := waitForPods(t, c, nil, 4)
	for _, uid := range podUIDs(first) {
		if !slices.Contains(podUIDs(scaled), uid) {
			t.Fatalf("scaling up replaced pod %s; only template changes may", uid)
		}
	}

	update(t, c, func(c *rayv1.RayCluster) {
		c.Spec.WorkerGroupSpecs[0].Template.Spec.Containers[0].Image = newImage
	})
	want := map[string]int{"rayproject/ray:2.52.0": 1, newImage: 3}
	eventually(t, "every pod rebuilt from the new spec", func() error {
		if got := imagesOf(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("live pods by image: %v, want %v", got, want)
		}
		return nil
	})
	pods := listPods(t, c, nil)
	hash := raypod.SpecHash(getCluster(t, c))
	for _, p := range pods {
		if slices.Contains(podUIDs(scaled), p.UID) {
			t.Errorf("pod %s of the old spec survived the change", p.Name)
		}
		if got := p.Annotations[raypod.SpecHashAnnotation]; got != hash {
			t.Errorf("pod %s: %s = %q, want %q", p.Name, raypod.SpecHashAnnotation, got, hash)
		}
	}
	if len(pods) != 4 {
		t.Errorf("%d pods after the recreation, want 4 (1 head, 3 workers)", len(pods))
	}
	waitForEventMessage(t, c, "Deleted all 4 pods: the spec changed (4 pods were built from an "+
		"older one) and upgradeStrategy is Recreate")
	notReadyUntilRunning(t, c)
}

// notReadyUntilRunning checks that a cluster whose pods were all replaced does not report
// ready once its new head runs while its new workers do not, then runs them all and waits for
// ready.
func notReadyUntilRunning(t *testing.T, c *rayv1.RayCluster) {
	t.Helper()
	head := waitForPods(t, c, headLabels, 1)[0]
	setPodStatus(t, &head, corev1.PodRunning, true, "10.0.1.1")
	var got *rayv1.RayCluster
	eventually(t, "the new head seen ready", func() error {
		got = getCluster(t, c)
		if !meta.IsStatusConditionTrue(got.Status.Conditions, string(rayv1.HeadPodReady)) {
			return fmt.Errorf("conditions %v", got.Status.Conditions)
		}
		return nil
	})
	if got.Status.State == rayv1.Ready || meta.IsStatusConditionTrue(got.Status.Conditions,
		string(rayv1.RayClusterProvisioned)) {
		t.Errorf("state %q, RayClusterProvisioned %v while only the new head runs",
			got.Status.State, meta.FindStatusCondition(got.Status.Conditions,
				string(rayv1.RayClusterProvisioned)))
	}
	runAll(t, c)
	waitForState(t, c, rayv1.Ready)
}

// TestSuspendAndResumeAtOnce: a cluster suspended and resumed before the suspend completes gets
// all new pods, and is not ready until they run.
func TestSuspendAndResumeAtOnce(t *testing.T) {
	c, first := readyWithUpgrade(t, "flip", 1, rayv1.RayClusterUpgradeNone)
	update(t, c, func(c *rayv1.RayCluster) { c.Spec.Suspend = ptr.To(true) })
	waitForEventMessage(t, c, "Deleted all 2 pods: the cluster is suspended")
	update(t, c, func(c *rayv1.RayCluster) { c.Spec.Suspend = ptr.To(false) })
	pods := waitForPods(t, c, nil, 2)
	for _, p := range pods {
		if slices.Contains(podUIDs(first), p.UID) {
			t.Fatalf("pod %s survived the suspend", p.Name)
		}
	}
	notReadyUntilRunning(t, c)
}

// TestUpgradeStrategyNone: without Recreate, running pods keep the old template; pods created
// afterwards, by scaling, get the new one.
func TestUpgradeStrategyNone(t *testing.T) {
	c, first := readyWithUpgrade(t, "keep", 1, rayv1.RayClusterUpgradeNone)

	update(t, c, func(c *rayv1.RayCluster) {
		c.Spec.WorkerGroupSpecs[0].Template.Spec.Containers[0].Image = newImage
		c.Spec.WorkerGroupSpecs[0].Replicas = ptr.To[int32](2)
	})
	waitForPods(t, c, nil, 3)
	want := map[string]int{"rayproject/ray:2.52.0": 2, newImage: 1}
	if got := imagesOf(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("live pods by image: %v, want %v", got, want)
	}
	now := podUIDs(listPods(t, c, nil))
	for _, uid := range podUIDs(first) {
		if !slices.Contains(now, uid) {
			t.Errorf("pod %s was replaced; upgradeStrategy None keeps running pods", uid)
		}
	}
}

// TestChangedServiceTypeIsReported: the operator does not change an existing head Service, so a
// changed serviceType is reported in an event instead of having no visible effect.
func TestChangedServiceTypeIsReported(t *testing.T) {
	c, _ := readyWithUpgrade(t, "svc", 1, rayv1.RayClusterUpgradeNone)
	update(t, c, func(c *rayv1.RayCluster) {
		c.Spec.HeadGroupSpec.ServiceType = corev1.ServiceTypeNodePort
	})
	waitForEventMessage(t, c, "The head Service svc-head-svc is of type ClusterIP but the spec "+
		"asks for NodePort: raykube does not change existing Services; delete the Service to "+
		"have it recreated")
}
