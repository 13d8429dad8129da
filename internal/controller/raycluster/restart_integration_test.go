//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestRestartDuringScaleUp stops the operator while it creates a group of 20 workers and starts
// a new one: the group ends with exactly 20 workers, and no pod was created twice (no extra pod
// was created and then deleted).
func TestRestartDuringScaleUp(t *testing.T) {
	stopOperator()
	t.Cleanup(func() {
		if err := startSharedOperator(); err != nil {
			t.Fatalf("restarting the shared operator: %v", err)
		}
	})

	// A slow first operator: one create at a time, a few requests per second.
	slow := testOperatorOptions()
	slow.PodCreateConcurrency, slow.KubeAPIQPS, slow.KubeAPIBurst = 1, 5, 1
	stopSlow, err := startOperator(slow)
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t)
	c := newCluster(ns, "restart").withGroup("many", 20).create(t)
	eventually(t, "some workers created", func() error {
		if n := len(listPods(t, c, workerLabels)); n < 3 {
			return fmt.Errorf("%d workers", n)
		}
		return nil
	})
	stopSlow()
	stoppedWith := len(listPods(t, c, workerLabels))
	if stoppedWith >= 20 {
		t.Fatalf("the first operator created all %d workers before it was stopped", stoppedWith)
	}

	stopFast, err := startOperator(testOperatorOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer stopFast()
	waitForPods(t, c, workerLabels, 20)
	waitForDesired(t, c, 20)

	var all corev1.PodList
	if err := env.Client.List(context.Background(), &all, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 21 {
		t.Errorf("%d pods in the namespace (terminating ones included), want 21", len(all.Items))
	}
	for _, e := range eventsOf(t, c) {
		if e.Reason == "DeletedWorkerPod" || e.Reason == "DeletedHeadPod" {
			t.Errorf("a pod was deleted: %s", e.Note)
		}
	}
	t.Logf("the first operator was stopped after %d of 20 workers", stoppedWith)
}
