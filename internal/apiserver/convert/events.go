package convert

import (
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// Events converts Kubernetes events, newest last. Events recorded through either events API are
// read alike: the first time is firstTimestamp or else eventTime; the last time and the count
// come from the event series when there is one.
func Events(events []corev1.Event) []*apiv1.ClusterEvent {
	type timed struct {
		last  time.Time
		event *apiv1.ClusterEvent
	}
	all := make([]timed, 0, len(events))
	for i := range events {
		e := &events[i]
		first, last, count := eventTimes(e)
		all = append(all, timed{last: last.Time, event: &apiv1.ClusterEvent{
			Id:             string(e.UID),
			Name:           e.Name,
			CreatedAt:      timestamp(e.CreationTimestamp),
			FirstTimestamp: timestamp(first),
			LastTimestamp:  timestamp(last),
			Reason:         e.Reason,
			Message:        e.Message,
			Type:           e.Type,
			Count:          count,
		}})
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		if c := a.last.Compare(b.last); c != 0 {
			return c
		}
		return strings.Compare(a.event.Name, b.event.Name)
	})
	out := make([]*apiv1.ClusterEvent, 0, len(all))
	for _, t := range all {
		out = append(out, t.event)
	}
	return out
}

func eventTimes(e *corev1.Event) (first, last metav1.Time, count int32) {
	first = e.FirstTimestamp
	if first.IsZero() {
		first = metav1.Time{Time: e.EventTime.Time}
	}
	if first.IsZero() {
		first = e.CreationTimestamp
	}
	last, count = e.LastTimestamp, e.Count
	if s := e.Series; s != nil {
		last, count = metav1.Time{Time: s.LastObservedTime.Time}, s.Count
	}
	if last.IsZero() {
		last = first
	}
	if count == 0 {
		count = 1
	}
	return first, last, count
}
