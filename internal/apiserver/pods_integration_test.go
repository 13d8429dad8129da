//go:build integration

package apiserver_test

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// livePods lists the live (not terminating) Ray pods of a cluster.
func livePods(t *testing.T, ns, cluster string) []corev1.Pod {
	t.Helper()
	var list corev1.PodList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(ns),
		client.MatchingLabels{"ray.io/cluster": cluster}); err != nil {
		t.Fatal(err)
	}
	var live []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			live = append(live, p)
		}
	}
	return live
}

// runPods waits for n live pods of the cluster and plays the kubelet: each becomes Running and
// Ready with an IP.
func runPods(t *testing.T, ns, cluster string, n int) {
	t.Helper()
	var pods []corev1.Pod
	eventually(t, fmt.Sprintf("%d pods of %s", n, cluster), func() error {
		if pods = livePods(t, ns, cluster); len(pods) != n {
			return fmt.Errorf("%d pods", len(pods))
		}
		return nil
	})
	for i := range pods {
		p := &pods[i]
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = fmt.Sprintf("10.0.0.%d", i+1)
		p.Status.PodIPs = []corev1.PodIP{{IP: p.Status.PodIP}}
		p.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()},
		}
		if err := env.Client.Status().Update(context.Background(), p); err != nil {
			t.Fatalf("setting the status of pod %s: %v", p.Name, err)
		}
	}
}

// waitForState waits until the RayCluster has the state and returns it.
func waitForState(t *testing.T, ns, name string, state rayv1.ClusterState) *rayv1.RayCluster {
	t.Helper()
	rc := &rayv1.RayCluster{}
	eventually(t, "state "+string(state), func() error {
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name},
			rc); err != nil {
			return err
		}
		if rc.Status.State != state {
			return fmt.Errorf("state %q, reason %q", rc.Status.State, rc.Status.Reason)
		}
		return nil
	})
	return rc
}

func clientKey(ns, name string) client.ObjectKey {
	return client.ObjectKey{Namespace: ns, Name: name}
}
