//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// TestClusterBecomesReady follows a small cluster from creation to ready: the head Service, the
// head pod and the workers appear, and once every pod runs the status says so.
func TestClusterBecomesReady(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "demo").withGroup("small", 2).create(t)

	svc := &corev1.Service{}
	eventually(t, "head Service", func() error {
		return env.Client.Get(context.Background(),
			types.NamespacedName{Namespace: ns, Name: "demo-head-svc"}, svc)
	})
	waitForPods(t, c, map[string]string{"ray.io/node-type": "head"}, 1)
	waitForPods(t, c, map[string]string{"ray.io/group": "small"}, 2)

	got := getCluster(t, c)
	if got.Status.State != "" {
		t.Errorf("state before the pods run = %q, want empty", got.Status.State)
	}
	runAll(t, c)
	got = waitForState(t, c, rayv1.Ready)

	head := listPods(t, c, map[string]string{"ray.io/node-type": "head"})[0]
	want := rayv1.HeadInfo{PodName: head.Name, PodIP: head.Status.PodIP,
		ServiceName: "demo-head-svc", ServiceIP: svc.Spec.ClusterIP}
	if diff := cmp.Diff(want, got.Status.Head); diff != "" {
		t.Errorf("status.head (-want +got):\n%s", diff)
	}
	wantEndpoints := map[string]string{"client": "10001", "gcs-server": "6379", "dashboard": "8265",
		"metrics": "8080", "serve": "8000"}
	if diff := cmp.Diff(wantEndpoints, got.Status.Endpoints); diff != "" {
		t.Errorf("status.endpoints (-want +got):\n%s", diff)
	}
	counts := fmt.Sprintf("ready %d available %d desired %d", got.Status.ReadyWorkerReplicas,
		got.Status.AvailableWorkerReplicas, got.Status.DesiredWorkerReplicas)
	if counts != "ready 2 available 2 desired 2" {
		t.Errorf("counts: %s", counts)
	}
	if got.Status.Reason != "" {
		t.Errorf("reason = %q, want empty when ready", got.Status.Reason)
	}
}
