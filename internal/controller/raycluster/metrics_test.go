package raycluster

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func metricsCluster(uid string, state rayv1.ClusterState, provisionedAt *time.Time) *rayv1.RayCluster {
	c := &rayv1.RayCluster{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "ns",
		UID: types.UID(uid), CreationTimestamp: metav1.Unix(1000, 0)}}
	c.Status.State = state
	cond := metav1.Condition{Type: string(rayv1.RayClusterProvisioned), Status: metav1.ConditionFalse,
		Reason: rayv1.RayClusterPodsProvisioning}
	if provisionedAt != nil {
		cond.Status, cond.Reason = metav1.ConditionTrue, rayv1.AllPodRunningAndReadyFirstTime
		cond.LastTransitionTime = metav1.NewTime(*provisionedAt)
	}
	c.Status.Conditions = []metav1.Condition{cond}
	if state == rayv1.Ready {
		c.Status.Conditions = append(c.Status.Conditions, metav1.Condition{
			Type: string(rayv1.HeadPodReady), Status: metav1.ConditionTrue,
			Reason: rayv1.HeadPodRunningAndReady})
	}
	return c
}

func TestClusterMetricsLifecycle(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newClusterMetrics(reg)
	names := []string{"kuberay_cluster_info", "kuberay_cluster_condition_provisioned",
		"kuberay_cluster_provisioned_duration_seconds", "kuberay_cluster_state",
		"kuberay_cluster_head_ready"}
	expect := func(step, want string) {
		t.Helper()
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
			t.Errorf("%s: %v", step, err)
		}
	}

	provisioning := metricsCluster("u1", "", nil)
	m.observe(provisioning, &rayv1.RayClusterStatus{})
	expect("provisioning", `
# HELP kuberay_cluster_condition_provisioned Whether the RayClusterProvisioned condition of a RayCluster is True.
# TYPE kuberay_cluster_condition_provisioned gauge
kuberay_cluster_condition_provisioned{condition="false",name="demo",namespace="ns",uid="u1"} 1
# HELP kuberay_cluster_head_ready 1 while the HeadPodReady condition of a RayCluster is True, else 0.
# TYPE kuberay_cluster_head_ready gauge
kuberay_cluster_head_ready{name="demo",namespace="ns",uid="u1"} 0
# HELP kuberay_cluster_info One series per RayCluster; owner_kind is RayJob, RayService or None.
# TYPE kuberay_cluster_info gauge
kuberay_cluster_info{name="demo",namespace="ns",owner_kind="None",uid="u1"} 1
# HELP kuberay_cluster_state The status.state of a RayCluster (provisioning while it is empty).
# TYPE kuberay_cluster_state gauge
kuberay_cluster_state{name="demo",namespace="ns",state="provisioning",uid="u1"} 1
`)

	at := time.Unix(1042, 0)
	ready := metricsCluster("u1", rayv1.Ready, &at)
	m.observe(ready, &provisioning.Status)
	readySeries := `
# HELP kuberay_cluster_condition_provisioned Whether the RayClusterProvisioned condition of a RayCluster is True.
# TYPE kuberay_cluster_condition_provisioned gauge
kuberay_cluster_condition_provisioned{condition="true",name="demo",namespace="ns",uid="u1"} 1
# HELP kuberay_cluster_head_ready 1 while the HeadPodReady condition of a RayCluster is True, else 0.
# TYPE kuberay_cluster_head_ready gauge
kuberay_cluster_head_ready{name="demo",namespace="ns",uid="u1"} 1
# HELP kuberay_cluster_info One series per RayCluster; owner_kind is RayJob, RayService or None.
# TYPE kuberay_cluster_info gauge
kuberay_cluster_info{name="demo",namespace="ns",owner_kind="None",uid="u1"} 1
# HELP kuberay_cluster_provisioned_duration_seconds Seconds from creation to the first time all pods ran and were ready.
# TYPE kuberay_cluster_provisioned_duration_seconds gauge
kuberay_cluster_provisioned_duration_seconds{name="demo",namespace="ns",uid="u1"} 42
# HELP kuberay_cluster_state The status.state of a RayCluster (provisioning while it is empty).
# TYPE kuberay_cluster_state gauge
kuberay_cluster_state{name="demo",namespace="ns",state="ready",uid="u1"} 1
`
	expect("ready", readySeries)

	// A later reconcile of the provisioned cluster does not move the provisioning time.
	later := time.Unix(2000, 0)
	m.observe(metricsCluster("u1", rayv1.Ready, &later), &ready.Status)
	expect("ready again", readySeries)

	m.forget(types.NamespacedName{Namespace: "ns", Name: "demo"})
	expect("deleted", "")

	m.observe(metricsCluster("u2", "", nil), &rayv1.RayClusterStatus{})
	if got := testutil.ToFloat64(m.state.With(prometheus.Labels{"name": "demo", "namespace": "ns",
		"uid": "u2", "state": stateProvisioning})); got != 1 {
		t.Errorf("recreated cluster's state series = %v, want 1", got)
	}
	if n := testutil.CollectAndCount(m.info); n != 1 {
		t.Errorf("%d info series after recreation, want 1 (the new uid only)", n)
	}
}

func TestOwnerKind(t *testing.T) {
	yes := true
	for kind, want := range map[string]string{"RayJob": "RayJob", "RayService": "RayService",
		"Deployment": "None", "": "None"} {
		c := &rayv1.RayCluster{}
		if kind != "" {
			c.OwnerReferences = []metav1.OwnerReference{{Kind: kind, Name: "o", Controller: &yes}}
		}
		if got := ownerKind(c); got != want {
			t.Errorf("ownerKind(%q) = %q, want %q", kind, got, want)
		}
	}
}
