package raypod

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	corev1 "k8s.io/api/core/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// SpecHashAnnotation on a Ray pod holds the SpecHash of the cluster it was built from, so that
// the operator can tell which pods a spec change left behind.
const SpecHashAnnotation = "ray.io/pod-spec-hash"

// podShape is what of a RayCluster shapes its pods. Replica counts, workersToDelete, suspend,
// Services, the Ingress and the upgrade strategy do not: changing them never makes a pod stale.
type podShape struct {
	RayVersion              string                          `json:"rayVersion,omitempty"`
	EnableInTreeAutoscaling *bool                           `json:"autoscaling,omitempty"`
	AutoscalerOptions       *rayv1.AutoscalerOptions        `json:"autoscalerOptions,omitempty"`
	GcsFaultTolerance       *rayv1.GcsFaultToleranceOptions `json:"gcsFT,omitempty"`
	Annotations             map[string]string               `json:"annotations,omitempty"`
	Head                    groupShape                      `json:"head"`
	Workers                 []groupShape                    `json:"workers,omitempty"`
}

type groupShape struct {
	Name           string                 `json:"name,omitempty"`
	RayStartParams map[string]string      `json:"rayStartParams,omitempty"`
	Template       corev1.PodTemplateSpec `json:"template"`
	Resources      map[string]string      `json:"resources,omitempty"`
	Labels         map[string]string      `json:"labels,omitempty"`
	NumOfHosts     int32                  `json:"numOfHosts,omitempty"`
}

// podAnnotations are the RayCluster annotations that change the pods the operator builds.
var podAnnotations = []string{FTEnabledAnnotation, ExternalStorageNamespaceAnnotation,
	OverwriteContainerCmdAnnotation}

// SpecHash is a digest of what shapes the cluster's pods (podShape). Two clusters that would get
// the same pods have the same hash; scaling never changes it. The hash depends on the spec only,
// not on how this version of the operator builds pods, so that upgrading the operator does not
// make every pod stale.
func SpecHash(c *rayv1.RayCluster) string {
	s := &c.Spec
	shape := podShape{
		RayVersion:              s.RayVersion,
		EnableInTreeAutoscaling: s.EnableInTreeAutoscaling,
		AutoscalerOptions:       s.AutoscalerOptions,
		GcsFaultTolerance:       s.GcsFaultToleranceOptions,
		Head: groupShape{RayStartParams: s.HeadGroupSpec.RayStartParams,
			Template: s.HeadGroupSpec.Template, Resources: s.HeadGroupSpec.Resources,
			Labels: s.HeadGroupSpec.Labels},
	}
	for _, key := range podAnnotations {
		if v, ok := c.Annotations[key]; ok {
			if shape.Annotations == nil {
				shape.Annotations = map[string]string{}
			}
			shape.Annotations[key] = v
		}
	}
	for i := range s.WorkerGroupSpecs {
		g := &s.WorkerGroupSpecs[i]
		shape.Workers = append(shape.Workers, groupShape{Name: g.GroupName,
			RayStartParams: g.RayStartParams, Template: g.Template, Resources: g.Resources,
			Labels: g.Labels, NumOfHosts: g.NumOfHosts})
	}
	// Every field is a plain value, map or API type: encoding cannot fail.
	data, _ := json.Marshal(shape)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:10])
}

// RecreateOnChange reports whether the cluster asks for its pods to be replaced when the spec
// they were built from changes (upgradeStrategy.type Recreate).
func RecreateOnChange(c *rayv1.RayCluster) bool {
	u := c.Spec.UpgradeStrategy
	return u != nil && u.Type != nil && *u.Type == rayv1.RayClusterRecreate
}

// stampSpecHash records on a new pod the hash of the spec it is built from.
func stampSpecHash(c *rayv1.RayCluster, pod *corev1.Pod) {
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[SpecHashAnnotation] = SpecHash(c)
}
