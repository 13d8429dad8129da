//go:build integration

package kubectlray

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/raykube/raykube/internal/raypod"
)

// TestSession checks what of `session` can run without a kubelet: it refuses a cluster with
// no running head, and asks the API server to forward ports of the running head pod, which
// this API server, with no node behind the pod, answers with an error naming the pod.
func TestSession(t *testing.T) {
	ns := namespace(t, "ray-session")
	mustRun(t, time.Now(), "create", "cluster", "demo", "-n", ns)
	wantError(t, `RayCluster "demo" in namespace "ray-session" has no running head pod `+
		"(state <none>)", "session", "demo", "-n", ns)

	head := makePod("demo-head-abcde", raypod.HeadGroupName, corev1.PodRunning, true)
	head.Namespace = ns
	status := head.Status
	if err := env.Client.Create(context.Background(), &head); err != nil {
		t.Fatal(err)
	}
	head.Status = status
	if err := env.Client.Status().Update(context.Background(), &head); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := run(t, time.Now(), "", "session", "demo", "-n", ns, "--address", "127.0.0.1")
	t.Logf("session answered: %v", err)
	if err == nil || !strings.HasPrefix(err.Error(), "forwarding ports to pod demo-head-abcde: ") ||
		!strings.Contains(err.Error(), "does not have a host assigned") || stdout != "" {
		t.Errorf("session: %v, stdout %q; want the API server's refusal for a pod with no node",
			err, stdout)
	}
}
