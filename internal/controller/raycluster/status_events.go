package raycluster

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// replicaFailureEvents maps the reasons of the ReplicaFailure condition to event reasons.
var replicaFailureEvents = map[string]EventReason{
	rayv1.FailedCreateHeadPod:   FailedToCreateHeadPod,
	rayv1.FailedCreateWorkerPod: FailedToCreateWorkerPod,
	rayv1.FailedDeleteHeadPod:   FailedToDeletePod,
	rayv1.FailedDeleteWorkerPod: FailedToDeletePod,
	rayv1.FailedDeleteAllPods:   FailedToDeletePod,
}

// emitStatusEvents emits the events that the move from the stored status to the new one calls
// for. Events follow changes, not reconciles: a problem that persists is reported once, when it
// appears, and again only when it changes.
func (r *Reconciler) emitStatusEvents(_ context.Context, c *rayv1.RayCluster, obs *observation,
	next *rayv1.RayClusterStatus) {
	prev := &c.Status
	newGeneration := prev.ObservedGeneration != c.Generation

	if newGeneration {
		r.emitFieldEvents(c)
		r.emitOutdatedHeadService(c, obs.headService)
		for _, w := range obs.warnings {
			r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(RayConfigError), actionValidate,
				"%s", w)
		}
	}
	reasonChanged := prev.State != next.State || prev.Reason != next.Reason
	if obs.errs.InvalidSpec != nil && (reasonChanged || newGeneration) {
		r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(InvalidSpec), actionValidate,
			"%v", obs.errs.InvalidSpec)
	}
	if len(obs.errs.RayConfig) > 0 && (reasonChanged || newGeneration) {
		r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(RayConfigError), actionValidate,
			"%s", strings.Join(obs.errs.RayConfig, "; "))
	}
	r.emitReplicaFailure(c, prev, next)
	if prev.State != next.State {
		eventType := corev1.EventTypeNormal
		if next.State == rayv1.Failed || next.State == rayv1.Unhealthy {
			eventType = corev1.EventTypeWarning
		}
		r.recorder.Eventf(c, nil, eventType, string(StateChanged), actionReconcile,
			"State changed from %q to %q%s", prev.State, next.State, reasonSuffix(next.Reason))
	}
}

// emitReplicaFailure emits a Warning when the ReplicaFailure condition appears or changes.
func (r *Reconciler) emitReplicaFailure(c *rayv1.RayCluster, prev, next *rayv1.RayClusterStatus) {
	cond := meta.FindStatusCondition(next.Conditions, string(rayv1.RayClusterReplicaFailure))
	if cond == nil || cond.Status != "True" {
		return
	}
	old := meta.FindStatusCondition(prev.Conditions, string(rayv1.RayClusterReplicaFailure))
	if old != nil && old.Status == cond.Status && old.Reason == cond.Reason &&
		old.Message == cond.Message {
		return
	}
	reason, ok := replicaFailureEvents[cond.Reason]
	if !ok {
		reason = FailedToCreateWorkerPod
	}
	r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(reason), actionReconcile, "%s",
		cond.Message)
}

// emitOutdatedHeadService says, once per generation, when the head Service's type is not the
// one the spec asks for: the operator creates Services but does not change them, and a changed
// serviceType would otherwise have no visible effect.
func (r *Reconciler) emitOutdatedHeadService(c *rayv1.RayCluster, existing *corev1.Service) {
	if existing == nil {
		return
	}
	want, err := raypod.BuildHeadService(c, r.config.Pods)
	if err != nil || want.Spec.Type == existing.Spec.Type {
		return
	}
	r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(HeadServiceOutdated),
		actionReconcile, "The head Service %s is of type %s but the spec asks for %s: raykube "+
			"does not change existing Services; delete the Service to have it recreated",
		existing.Name, existing.Spec.Type, want.Spec.Type)
}

// emitFieldEvents names, once per generation, the fields the operator accepts but does not act
// on, and the deprecated ones it ignores.
func (r *Reconciler) emitFieldEvents(c *rayv1.RayCluster) {
	if unsupported := unsupportedFields(&c.Spec); len(unsupported) > 0 {
		r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(UnsupportedField), actionValidate,
			"raykube does not act on %s yet; the fields are kept but have no effect",
			strings.Join(unsupported, ", "))
	}
	if c.Spec.HeadGroupSpec.Replicas != nil {
		r.recorder.Eventf(c, nil, corev1.EventTypeWarning, string(DeprecatedField), actionValidate,
			"spec.headGroupSpec.replicas is deprecated and ignored: a cluster has exactly one head pod")
	}
}

// unsupportedFields lists the set spec fields whose behaviour raykube does not implement.
func unsupportedFields(spec *rayv1.RayClusterSpec) []string {
	var out []string
	add := func(set bool, field string) {
		if set {
			out = append(out, "spec."+field)
		}
	}
	add(spec.AuthOptions != nil && spec.AuthOptions.EnableK8sTokenAuth != nil &&
		*spec.AuthOptions.EnableK8sTokenAuth, "authOptions.enableK8sTokenAuth")
	add(spec.GcsFaultToleranceOptions != nil &&
		spec.GcsFaultToleranceOptions.Backend == rayv1.GcsFaultToleranceBackendRocksDB,
		"gcsFaultToleranceOptions.backend: rocksdb")
	add(spec.HistoryServerOptions != nil, "historyServerOptions")
	add(spec.NetworkPolicy != nil, "networkPolicy")
	add(spec.TLSOptions != nil, "tlsOptions")
	return out
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
