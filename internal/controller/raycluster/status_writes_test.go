package raycluster

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func TestOnlyProgressChanged(t *testing.T) {
	base := func() *rayv1.RayClusterStatus {
		return &rayv1.RayClusterStatus{
			State:                   "",
			Reason:                  "Waiting for worker pods: 1 of 3 are running and ready.",
			ReadyWorkerReplicas:     1,
			AvailableWorkerReplicas: 1,
			DesiredWorkerReplicas:   3,
			ObservedGeneration:      2,
			Endpoints:               map[string]string{"dashboard": "8265"},
			Head:                    rayv1.HeadInfo{PodName: "h-1", PodIP: "10.0.0.1", ServiceIP: "10.96.0.10"},
			Conditions: []metav1.Condition{{Type: "RayClusterProvisioned", Status: "False",
				Reason: "RayClusterPodsProvisioning", Message: "2 of 4 desired pods are running and ready."}},
		}
	}
	type status = rayv1.RayClusterStatus
	cases := map[string]struct {
		change func(s *status)
		want   bool
	}{
		"nothing":             {change: func(*status) {}, want: true},
		"counts":              {change: func(s *status) { s.ReadyWorkerReplicas = 2 }, want: true},
		"reason wording":      {change: func(s *status) { s.Reason = "other" }, want: true},
		"head pod IP":         {change: func(s *status) { s.Head.PodIP = "10.0.0.2" }, want: true},
		"condition message":   {change: func(s *status) { s.Conditions[0].Message = "x" }, want: true},
		"state":               {change: func(s *status) { s.State = rayv1.Ready }, want: false},
		"condition status":    {change: func(s *status) { s.Conditions[0].Status = "True" }, want: false},
		"condition reason":    {change: func(s *status) { s.Conditions[0].Reason = "X" }, want: false},
		"observed generation": {change: func(s *status) { s.ObservedGeneration = 3 }, want: false},
		"endpoints":           {change: func(s *status) { s.Endpoints["client"] = "10001" }, want: false},
		"head service IP":     {change: func(s *status) { s.Head.ServiceIP = "10.96.0.11" }, want: false},
		"desired workers":     {change: func(s *status) { s.DesiredWorkerReplicas = 4 }, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			prev, next := base(), base()
			tc.change(next)
			if got := onlyProgressChanged(prev, next); got != tc.want {
				t.Errorf("onlyProgressChanged() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatusWritesWait(t *testing.T) {
	w := newStatusWrites()
	start := time.Unix(1000, 0)
	nn := types.NamespacedName{Namespace: "ns", Name: "c"}
	if got := w.wait("u1", start); got != 0 {
		t.Errorf("wait before any write = %v, want 0", got)
	}
	w.record(nn, "u1", start)
	if got := w.wait("u1", start.Add(300*time.Millisecond)); got != statusProgressInterval-300*time.Millisecond {
		t.Errorf("wait 300ms after a write = %v, want %v", got, statusProgressInterval-300*time.Millisecond)
	}
	if got := w.wait("u1", start.Add(statusProgressInterval)); got != 0 {
		t.Errorf("wait one interval after a write = %v, want 0", got)
	}
	w.forget(nn)
	if got := w.wait("u1", start); got != 0 {
		t.Errorf("wait after forget = %v, want 0", got)
	}
}
