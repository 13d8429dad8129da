package raycluster

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

func testClusterID(name string) ClusterID {
	return ClusterID{types.NamespacedName{Namespace: "ns", Name: name}, types.UID(name + "-uid")}
}

func TestExpectations(t *testing.T) {
	pod := func(name string, uid types.UID, terminating bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uid}}
		if terminating {
			p.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)}
		}
		return p
	}
	cases := map[string]struct {
		creates []string
		deletes []types.UID
		elapsed time.Duration
		cache   []*corev1.Pod
		want    bool
	}{
		"nothing expected": {want: true},
		"created pod not in the cache yet": {
			creates: []string{"w-1"},
			cache:   []*corev1.Pod{pod("w-0", "u0", false)},
			want:    false,
		},
		"created pods in the cache": {
			creates: []string{"w-1", "w-2"},
			cache:   []*corev1.Pod{pod("w-1", "u1", false), pod("w-2", "u2", false)},
			want:    true,
		},
		"one of two created pods in the cache": {
			creates: []string{"w-1", "w-2"},
			cache:   []*corev1.Pod{pod("w-1", "u1", false)},
			want:    false,
		},
		"deleted pod still live in the cache": {
			deletes: []types.UID{"u1"},
			cache:   []*corev1.Pod{pod("w-1", "u1", false)},
			want:    false,
		},
		"deleted pod terminating in the cache": {
			deletes: []types.UID{"u1"},
			cache:   []*corev1.Pod{pod("w-1", "u1", true)},
			want:    true,
		},
		"deleted pod gone from the cache": {
			deletes: []types.UID{"u1"},
			want:    true,
		},
		"unmet expectation expires": {
			creates: []string{"w-1"},
			elapsed: expectationTTL + time.Second,
			want:    true,
		},
		"unmet expectation before it expires": {
			creates: []string{"w-1"},
			elapsed: expectationTTL - time.Second,
			want:    false,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := clocktesting.NewFakePassiveClock(time.Unix(1000, 0))
			e := NewExpectations(clock)
			for _, n := range tc.creates {
				e.ExpectCreate(testClusterID("c1"), "small", n)
			}
			for _, uid := range tc.deletes {
				e.ExpectDelete(testClusterID("c1"), "small", uid)
			}
			clock.SetTime(clock.Now().Add(tc.elapsed))
			if got := e.Satisfied(testClusterID("c1"), "small", tc.cache); got != tc.want {
				t.Errorf("Satisfied() = %v, want %v", got, tc.want)
			}
			if got := e.Satisfied(testClusterID("c1"), "other", nil); !got {
				t.Error("another group is held back by this group's expectations")
			}
		})
	}
}

func TestExpectationsForget(t *testing.T) {
	e := NewExpectations(clocktesting.NewFakePassiveClock(time.Unix(1000, 0)))
	e.ExpectCreate(testClusterID("c1"), "small", "w-1")
	e.ExpectCreate(testClusterID("c2"), "small", "w-1")
	e.Forget(testClusterID("c1").NamespacedName)
	if !e.Satisfied(testClusterID("c1"), "small", nil) {
		t.Error("forgotten cluster still has expectations")
	}
	if e.Satisfied(testClusterID("c2"), "small", nil) {
		t.Error("Forget dropped another cluster's expectations")
	}
}
