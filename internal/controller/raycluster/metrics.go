package raycluster

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// clusterMetrics are the operator's per-cluster gauges. The first four have KubeRay's names and
// labels, so that dashboards written for KubeRay work as they are; kuberay_cluster_head_ready is
// raykube's, for the dashboards' "head pods not ready". Every series of a cluster carries its
// uid: a cluster deleted and created again under the same name is a new series.
type clusterMetrics struct {
	info                *prometheus.GaugeVec
	provisioned         *prometheus.GaugeVec
	provisionedDuration *prometheus.GaugeVec
	state               *prometheus.GaugeVec
	headReady           *prometheus.GaugeVec
}

// metrics are registered once per process with controller-runtime's registry, which the
// manager's metrics endpoint serves.
var metrics = newClusterMetrics(ctrlmetrics.Registry)

// stateProvisioning is the state label of a cluster whose status.state is still empty.
const stateProvisioning = "provisioning"

// newClusterMetrics creates the gauges and registers them with reg.
func newClusterMetrics(reg prometheus.Registerer) *clusterMetrics {
	id := []string{"name", "namespace", "uid"}
	m := &clusterMetrics{
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuberay_cluster_info",
			Help: "One series per RayCluster; owner_kind is RayJob, RayService or None.",
		}, append(id, "owner_kind")),
		provisioned: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuberay_cluster_condition_provisioned",
			Help: "Whether the RayClusterProvisioned condition of a RayCluster is True.",
		}, append(id, "condition")),
		provisionedDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuberay_cluster_provisioned_duration_seconds",
			Help: "Seconds from creation to the first time all pods ran and were ready.",
		}, id),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuberay_cluster_state",
			Help: "The status.state of a RayCluster (provisioning while it is empty).",
		}, append(id, "state")),
		headReady: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuberay_cluster_head_ready",
			Help: "1 while the HeadPodReady condition of a RayCluster is True, else 0.",
		}, id),
	}
	reg.MustRegister(m.info, m.provisioned, m.provisionedDuration, m.state, m.headReady)
	return m
}

// observe sets the series of a cluster from its stored status. prev is the status before this
// reconcile wrote, so that the provisioning time is set on the edge to provisioned only.
func (m *clusterMetrics) observe(c *rayv1.RayCluster, prev *rayv1.RayClusterStatus) {
	id := prometheus.Labels{"name": c.Name, "namespace": c.Namespace, "uid": string(c.UID)}
	byUID := prometheus.Labels{"uid": string(c.UID)}

	m.info.DeletePartialMatch(byUID)
	m.info.With(with(id, "owner_kind", ownerKind(c))).Set(1)

	provisioned := isProvisioned(&c.Status)
	m.provisioned.DeletePartialMatch(byUID)
	m.provisioned.With(with(id, "condition", boolLabel(provisioned))).Set(1)
	if provisioned && !isProvisioned(prev) {
		cond := meta.FindStatusCondition(c.Status.Conditions, string(rayv1.RayClusterProvisioned))
		seconds := cond.LastTransitionTime.Sub(c.CreationTimestamp.Time).Seconds()
		m.provisionedDuration.With(id).Set(max(seconds, 0))
	}

	state := string(c.Status.State)
	if state == "" {
		state = stateProvisioning
	}
	m.state.DeletePartialMatch(byUID)
	m.state.With(with(id, "state", state)).Set(1)

	headReady := 0.0
	if meta.IsStatusConditionTrue(c.Status.Conditions, string(rayv1.HeadPodReady)) {
		headReady = 1
	}
	m.headReady.With(id).Set(headReady)
}

// forget removes every series of the cluster of that name, when it is deleted.
func (m *clusterMetrics) forget(cluster types.NamespacedName) {
	byName := prometheus.Labels{"name": cluster.Name, "namespace": cluster.Namespace}
	for _, v := range []*prometheus.GaugeVec{m.info, m.provisioned, m.provisionedDuration, m.state,
		m.headReady} {
		v.DeletePartialMatch(byName)
	}
}

func isProvisioned(s *rayv1.RayClusterStatus) bool {
	return meta.IsStatusConditionTrue(s.Conditions, string(rayv1.RayClusterProvisioned))
}

// ownerKind is the kind of the cluster's controller when it is a RayJob or RayService.
func ownerKind(c *rayv1.RayCluster) string {
	if owner := metav1.GetControllerOf(c); owner != nil &&
		(owner.Kind == "RayJob" || owner.Kind == "RayService") {
		return owner.Kind
	}
	return "None"
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// with returns labels plus one more.
func with(labels prometheus.Labels, key, value string) prometheus.Labels {
	out := prometheus.Labels{key: value}
	for k, v := range labels {
		out[k] = v
	}
	return out
}
