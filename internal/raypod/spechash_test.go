package raypod

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// TestSpecHashIsStable pins the hash of one cluster: a new version of the operator that hashed
// the same spec differently would make every running pod of a Recreate cluster look stale.
func TestSpecHashIsStable(t *testing.T) {
	c := makeCluster("demo").withWorkers("small", 2).withHeadParams("num-cpus", "0").obj()
	if got, want := SpecHash(c), "e15bd5db69dc282c8b2f"; got != want {
		t.Errorf("SpecHash() = %q, want %q", got, want)
	}
}

func TestSpecHash(t *testing.T) {
	base := func() *clusterBuilder {
		return makeCluster("demo").withWorkers("small", 2).withHeadParams("num-cpus", "0")
	}
	unchanged := map[string]*rayv1.RayCluster{
		"replicas, min and max": base().withGroup(func(g *rayv1.WorkerGroupSpec) {
			g.Replicas, g.MinReplicas, g.MaxReplicas = ptr.To[int32](7), ptr.To[int32](1), ptr.To[int32](9)
		}).obj(),
		"workersToDelete and group suspend": base().withGroup(func(g *rayv1.WorkerGroupSpec) {
			g.ScaleStrategy.WorkersToDelete = []string{"demo-small-worker-abcde"}
			g.Suspend = ptr.To(true)
		}).obj(),
		"cluster suspend, upgrade strategy, Services and Ingress": base().withHead(
			func(h *rayv1.HeadGroupSpec) {
				h.ServiceType = corev1.ServiceTypeNodePort
				h.EnableIngress = ptr.To(true)
			}).withAnnotation("unrelated", "x").obj(),
	}
	unchanged["cluster suspend, upgrade strategy, Services and Ingress"].Spec.Suspend = ptr.To(true)
	unchanged["cluster suspend, upgrade strategy, Services and Ingress"].Spec.UpgradeStrategy =
		&rayv1.RayClusterUpgradeStrategy{Type: ptr.To(rayv1.RayClusterRecreate)}

	changed := map[string]*rayv1.RayCluster{
		"worker image": base().withWorkerContainer(func(ctr *corev1.Container) {
			ctr.Image = "rayproject/ray:2.53.0"
		}).obj(),
		"head rayStartParams":   base().withHeadParams("num-cpus", "1").obj(),
		"worker rayStartParams": base().withWorkerParams("num-gpus", "1").obj(),
		"head pod labels": base().withHead(func(h *rayv1.HeadGroupSpec) {
			h.Template.Labels = pairs("team", "ml")
		}).obj(),
		"group renamed": base().withGroup(func(g *rayv1.WorkerGroupSpec) { g.GroupName = "big" }).obj(),
		"group added":   base().withWorkers("big", 0).obj(),
		"numOfHosts":    base().withGroup(func(g *rayv1.WorkerGroupSpec) { g.NumOfHosts = 2 }).obj(),
		"ray version": func() *rayv1.RayCluster {
			c := base().obj()
			c.Spec.RayVersion = "2.53.0"
			return c
		}(),
		"autoscaling":       base().autoscaling().obj(),
		"fault tolerance":   base().withAnnotation(FTEnabledAnnotation, "true").obj(),
		"overwrite command": base().withAnnotation(OverwriteContainerCmdAnnotation, "true").obj(),
	}
	want := SpecHash(base().obj())
	for name, c := range unchanged {
		if got := SpecHash(c); got != want {
			t.Errorf("%s: SpecHash() = %s, want the base's %s", name, got, want)
		}
	}
	for name, c := range changed {
		if got := SpecHash(c); got == want {
			t.Errorf("%s: SpecHash() = %s, the same as the base's", name, got)
		}
	}
}

func TestRecreateOnChange(t *testing.T) {
	for _, tc := range []struct {
		strategy *rayv1.RayClusterUpgradeStrategy
		want     bool
	}{
		{nil, false},
		{&rayv1.RayClusterUpgradeStrategy{}, false},
		{&rayv1.RayClusterUpgradeStrategy{Type: ptr.To(rayv1.RayClusterUpgradeNone)}, false},
		{&rayv1.RayClusterUpgradeStrategy{Type: ptr.To(rayv1.RayClusterRecreate)}, true},
	} {
		c := makeCluster("demo").obj()
		c.Spec.UpgradeStrategy = tc.strategy
		if got := RecreateOnChange(c); got != tc.want {
			t.Errorf("RecreateOnChange(%+v) = %v, want %v", tc.strategy, got, tc.want)
		}
	}
}
