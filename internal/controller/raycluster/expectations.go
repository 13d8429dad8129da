package raycluster

import (
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
)

// expectationTTL is how long an unmet expectation holds back a group. A pod created and deleted
// by someone else before the cache saw it would otherwise block its group for ever.
const expectationTTL = 5 * time.Minute

// Expectations remembers the pods this operator created or deleted that the informer cache may
// not show yet. The cache lags behind the API server; acting on a group before the cache shows
// the last step would create or delete the same pods twice. A group whose expectations are not
// met is left alone until the cache catches up: the pod event that catches it up triggers the
// next reconcile.
type Expectations struct {
	clock clock.PassiveClock

	mu      sync.Mutex
	pending map[groupKey]*groupExpectations
}

// ClusterID identifies one incarnation of a RayCluster: a cluster deleted and created again
// under the same name has a new UID and starts with no expectations.
type ClusterID struct {
	types.NamespacedName
	UID types.UID
}

type groupKey struct {
	cluster ClusterID
	group   string
}

type groupExpectations struct {
	creates map[string]time.Time    // pod name -> when it was created
	deletes map[types.UID]time.Time // pod UID -> when it was deleted
}

// NewExpectations returns an empty set of expectations that reads time from c.
func NewExpectations(c clock.PassiveClock) *Expectations {
	return &Expectations{clock: c, pending: map[groupKey]*groupExpectations{}}
}

// ExpectCreate records that pod name was created in group of cluster.
func (e *Expectations) ExpectCreate(cluster ClusterID, group, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.group(cluster, group).creates[name] = e.clock.Now()
}

// ExpectDelete records that the pod with uid was deleted from group of cluster.
func (e *Expectations) ExpectDelete(cluster ClusterID, group string, uid types.UID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.group(cluster, group).deletes[uid] = e.clock.Now()
}

// Satisfied reports whether pods, the group's pods as the cache shows them, reflect every create
// and delete recorded for the group. Met and expired expectations are dropped.
func (e *Expectations) Satisfied(cluster ClusterID, group string, pods []*corev1.Pod) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := groupKey{cluster, group}
	g, ok := e.pending[key]
	if !ok {
		return true
	}
	present := make(map[string]bool, len(pods))
	live := make(map[types.UID]bool, len(pods))
	for _, p := range pods {
		present[p.Name] = true
		if p.DeletionTimestamp == nil {
			live[p.UID] = true
		}
	}
	now := e.clock.Now()
	for name, at := range g.creates {
		if present[name] || now.Sub(at) > expectationTTL {
			delete(g.creates, name)
		}
	}
	for uid, at := range g.deletes {
		if !live[uid] || now.Sub(at) > expectationTTL {
			delete(g.deletes, uid)
		}
	}
	if len(g.creates) == 0 && len(g.deletes) == 0 {
		delete(e.pending, key)
		return true
	}
	return false
}

// Forget drops everything recorded for the cluster of that name, when it is deleted.
func (e *Expectations) Forget(cluster types.NamespacedName) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for key := range e.pending {
		if key.cluster.NamespacedName == cluster {
			delete(e.pending, key)
		}
	}
}

// group returns the expectations of a group, creating them. The caller holds mu.
func (e *Expectations) group(cluster ClusterID, group string) *groupExpectations {
	key := groupKey{cluster, group}
	g, ok := e.pending[key]
	if !ok {
		g = &groupExpectations{creates: map[string]time.Time{}, deletes: map[types.UID]time.Time{}}
		e.pending[key] = g
	}
	return g
}
