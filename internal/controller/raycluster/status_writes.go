package raycluster

import (
	"sync"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// statusProgressInterval is the least time between two status writes that change only the
// progress of provisioning (see onlyProgressChanged). While pods start one after another, each
// would otherwise cost a write.
const statusProgressInterval = time.Second

// statusWrites remembers when the status of each cluster was last written.
type statusWrites struct {
	mu   sync.Mutex
	last map[types.UID]lastWrite
}

type lastWrite struct {
	cluster types.NamespacedName
	at      time.Time
}

func newStatusWrites() *statusWrites {
	return &statusWrites{last: map[types.UID]lastWrite{}}
}

// wait returns how long a progress-only write of the cluster must wait; 0 when it may go now.
func (s *statusWrites) wait(uid types.UID, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.last[uid]
	if !ok {
		return 0
	}
	return max(w.at.Add(statusProgressInterval).Sub(now), 0)
}

// record notes a status write of the cluster.
func (s *statusWrites) record(cluster types.NamespacedName, uid types.UID, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[uid] = lastWrite{cluster: cluster, at: now}
}

// forget drops what is known of a deleted cluster.
func (s *statusWrites) forget(cluster types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for uid, w := range s.last {
		if w.cluster == cluster {
			delete(s.last, uid)
		}
	}
}

// onlyProgressChanged reports whether next differs from prev only in how far the pods have come
// while the state stays the same: the live replica counts, the head pod's name and IP, the
// wording of the reason and of conditions whose status and reason stay the same. A change of
// state, observed generation, condition status or reason, endpoints, head Service or desired
// totals is not progress and is written at once.
func onlyProgressChanged(prev, next *rayv1.RayClusterStatus) bool {
	if prev.State != next.State {
		return false
	}
	a, b := prev.DeepCopy(), next.DeepCopy()
	for _, s := range []*rayv1.RayClusterStatus{a, b} {
		s.ReadyWorkerReplicas, s.AvailableWorkerReplicas, s.LastUpdateTime = 0, 0, nil
		s.Reason, s.Head.PodName, s.Head.PodIP = "", "", ""
		for i := range s.Conditions {
			s.Conditions[i].Message = ""
		}
	}
	return apiequality.Semantic.DeepEqual(a, b)
}

// any reports whether the reconcile met a failure the status reports.
func (e *ReconcileErrors) any() bool {
	return e.CreateHeadPod != nil || e.CreateWorkerPod != nil || e.DeleteHeadPod != nil ||
		e.DeleteWorkerPod != nil || e.DeleteAllPods != nil || e.CreateService != nil ||
		e.CreateObject != nil || e.InvalidSpec != nil
}
