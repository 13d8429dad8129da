//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/localenv"
)

// TestE2EDeleteCollectsChildren deletes a ready cluster and checks that the controller
// manager's garbage collector removes its pods and Services, which the cluster owns.
func TestE2EDeleteCollectsChildren(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := newNamespace(t, "e2e-delete")
	c := newCluster(ns, "doomed", "1", 2)
	if err := suite.env.Client.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	c = waitForReady(t, ns, c.Name)

	pods, services := children(t, c)
	if len(pods) != 3 || len(services) == 0 {
		t.Fatalf("%d pods and %d Services before deletion, want 3 and at least 1",
			len(pods), len(services))
	}
	for _, obj := range append(pods, services...) {
		if !ownedBy(obj, c) {
			t.Errorf("%s is not owned by the RayCluster", obj.GetName())
		}
	}
	if err := suite.env.Client.Delete(ctx, c); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cluster's pods and Services to be collected", 2*time.Minute, func() error {
		pods, services := children(t, c)
		if len(pods)+len(services) > 0 {
			return fmt.Errorf("%d pods and %d Services left", len(pods), len(services))
		}
		return nil
	})
}

// TestE2EUnschedulableHead creates a cluster whose head asks for more CPU than any node has:
// it stays without a state, with a reason saying the head is unschedulable, until a node big
// enough is added through the add-node code path.
func TestE2EUnschedulableHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := newNamespace(t, "e2e-unschedulable")
	c := newCluster(ns, "too-big", "48", 1)
	if err := suite.env.Client.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKeyFromObject(c)
	eventually(t, "the unschedulable head to be reported", time.Minute, func() error {
		if err := suite.env.Client.Get(ctx, key, c); err != nil {
			return err
		}
		if c.Status.State != "" || !strings.Contains(c.Status.Reason, "head pod") ||
			!strings.Contains(c.Status.Reason, "unschedulable") {
			return fmt.Errorf("state %q, reason %q", c.Status.State, c.Status.Reason)
		}
		return nil
	})
	t.Logf("reason while pending: %s", c.Status.Reason)

	name, err := localenv.AddNode(ctx, suite.env.Client, localenv.AddNodeOptions{
		Group:   localenv.NodeGroup{CPU: "64", Memory: "256Gi"},
		Timeout: time.Minute,
	})
	if err != nil {
		t.Fatalf("adding a big node: %v", err)
	}
	c = waitForReady(t, ns, c.Name)
	head := &corev1.PodList{}
	err = suite.env.Client.List(ctx, head, client.InNamespace(ns),
		client.MatchingLabels{"ray.io/cluster": c.Name, "ray.io/node-type": "head"})
	if err != nil || len(head.Items) != 1 || head.Items[0].Spec.NodeName != name {
		t.Errorf("head pods %v (err %v), want one on the new node %s", podNodes(head), err, name)
	}
}

// newCluster is a cluster whose head requests headCPU CPUs and with one group of workers.
func newCluster(ns, name, headCPU string, workers int32) *rayv1.RayCluster {
	container := func(n, cpu string) corev1.Container {
		q := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
			corev1.ResourceMemory: resource.MustParse("1Gi")}
		return corev1.Container{Name: n, Image: "rayproject/ray:2.52.0",
			Resources: corev1.ResourceRequirements{Requests: q, Limits: q}}
	}
	// Without a grace period KWOK removes a deleted pod at once rather than after 30 seconds.
	podSpec := func(c corev1.Container) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{c},
			TerminationGracePeriodSeconds: ptr.To[int64](0)}}
	}
	return &rayv1.RayCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: rayv1.RayClusterSpec{
			HeadGroupSpec: rayv1.HeadGroupSpec{Template: podSpec(container("ray-head", headCPU))},
			WorkerGroupSpecs: []rayv1.WorkerGroupSpec{{
				GroupName: "workers", Replicas: ptr.To(workers), MinReplicas: ptr.To(workers),
				MaxReplicas: ptr.To(workers + 1),
				Template:    podSpec(container("ray-worker", "1")),
			}},
		},
	}
}

// children lists the cluster's pods and Services.
func children(t *testing.T, c *rayv1.RayCluster) (pods, services []client.Object) {
	t.Helper()
	sel := []client.ListOption{client.InNamespace(c.Namespace),
		client.MatchingLabels{"ray.io/cluster": c.Name}}
	podList, svcList := &corev1.PodList{}, &corev1.ServiceList{}
	if err := suite.env.Client.List(context.Background(), podList, sel...); err != nil {
		t.Fatal(err)
	}
	if err := suite.env.Client.List(context.Background(), svcList, sel...); err != nil {
		t.Fatal(err)
	}
	for i := range podList.Items {
		pods = append(pods, &podList.Items[i])
	}
	for i := range svcList.Items {
		services = append(services, &svcList.Items[i])
	}
	return pods, services
}

func ownedBy(obj client.Object, c *rayv1.RayCluster) bool {
	for _, ref := range obj.GetOwnerReferences() {
		if ref.UID == c.UID && ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	return false
}

func podNodes(pods *corev1.PodList) []string {
	var out []string
	for _, p := range pods.Items {
		out = append(out, p.Name+"@"+p.Spec.NodeName)
	}
	return out
}
