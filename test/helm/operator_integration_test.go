//go:build integration

package helm

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/operator"
	"github.com/raykube/raykube/internal/raypod"
	"github.com/raykube/raykube/internal/testenv"
)

// reconcileTimeout bounds how long the operator may take to act on a new RayCluster.
const reconcileTimeout = time.Minute

// The real operator, started with the arguments the chart gives it and as the chart's
// ServiceAccount (impersonated, so with exactly the chart's RBAC), reconciles a RayCluster with
// autoscaling: it creates the head Service, the pods and the autoscaler's Role (which it may only
// grant with the rules it holds itself), writes status and events, and holds the leader lease.
func TestOperatorRunsWithTheChartRBAC(t *testing.T) {
	tests := map[string]struct {
		// values given the name of the namespace the RayCluster is in.
		values func(watched string) string
		// watchesOthers: a RayCluster in another namespace is reconciled too.
		watchesOthers bool
	}{
		"every namespace": {values: func(string) string { return "" }, watchesOthers: true},
		"namespace list":  {values: func(ns string) string { return "watchNamespace: [" + ns + "]" }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := env(t)
			releaseNS := e.NewNamespace(t, "operator-")
			watched := e.NewNamespace(t, "rays-")
			other := e.NewNamespace(t, "others-")
			release := "rk-" + releaseNS // cluster-scoped names differ per test
			install(t, helmConfig(t, e, releaseNS), release, releaseNS, tc.values(watched))

			startOperator(t, e, releaseNS, release+"-raykube-operator")

			ctx := context.Background()
			inWatched := sampleCluster(t, watched)
			inOther := sampleCluster(t, other)
			for _, c := range []*rayv1.RayCluster{inWatched, inOther} {
				if err := e.Client.Create(ctx, c); err != nil {
					t.Fatal(err)
				}
				// Namespaces are never removed without a controller manager: delete the
				// clusters, so that the operators of later tests do not find them.
				t.Cleanup(func() { _ = e.Client.Delete(context.Background(), c) })
			}
			checkReconciled(t, e, inWatched)

			var lease coordinationv1.Lease
			testenv.Eventually(t, "leader lease held", reconcileTimeout, func() error {
				err := e.Client.Get(ctx, client.ObjectKey{Namespace: releaseNS,
					Name: "raykube-operator.ray.io"}, &lease)
				if err == nil && (lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "") {
					err = errors.New("no holder")
				}
				return err
			})

			if tc.watchesOthers {
				checkReconciled(t, e, inOther)
				return
			}
			// inWatched was reconciled, so the operator runs; it must not see the other namespace.
			var pods corev1.PodList
			if err := e.Client.List(ctx, &pods, client.InNamespace(other)); err != nil {
				t.Fatal(err)
			}
			if len(pods.Items) > 0 {
				t.Errorf("the operator created %d pods in %s, which it does not watch", len(pods.Items), other)
			}
		})
	}
}

// startOperator runs the operator in this process until the test ends, with the arguments of
// the installed Deployment, as its ServiceAccount.
func startOperator(t *testing.T, e *testenv.Env, namespace, deployment string) {
	t.Helper()
	pod := installedPod(t, e, namespace, deployment)
	opts, err := parseOperatorArgs(pod.Containers[0].Args)
	if err != nil {
		t.Fatal(err)
	}
	// What differs outside a pod: no fixed ports, and the lease namespace that the operator
	// reads from its pod's service account otherwise.
	opts.MetricsAddr, opts.HealthProbeAddr = "0", "0"
	opts.LeaderElectionNamespace = namespace
	opts.SeveralManagersPerProcess = true

	mgr, err := operator.NewManager(serviceAccountConfig(e, namespace, pod.ServiceAccountName), opts,
		testr.New(t))
	if err != nil {
		t.Fatal(err)
	}
	testenv.RunInBackground(t, "operator", mgr.Start)
}

// sampleCluster is config/samples' RayCluster with autoscaling on, in namespace.
func sampleCluster(t *testing.T, namespace string) *rayv1.RayCluster {
	t.Helper()
	var c rayv1.RayCluster
	data := readRepoFile(t, "config", "samples", "ray-cluster.sample.yaml")
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		t.Fatal(err)
	}
	c.Namespace = namespace
	on := true
	c.Spec.EnableInTreeAutoscaling = &on
	return &c
}

// checkReconciled waits until the operator has created c's head Service, head pod and
// autoscaler Role, written its status and emitted an event about it.
func checkReconciled(t *testing.T, e *testenv.Env, c *rayv1.RayCluster) {
	t.Helper()
	ctx := context.Background()
	what := fmt.Sprintf("RayCluster %s/%s reconciled", c.Namespace, c.Name)
	testenv.Eventually(t, what, reconcileTimeout, func() error {
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: c.Namespace,
			Name: raypod.HeadServiceName(c)}, &corev1.Service{}); err != nil {
			return fmt.Errorf("head Service: %w", err)
		}
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: c.Namespace,
			Name: raypod.AutoscalerRoleName(c)}, &rbacv1.Role{}); err != nil {
			return fmt.Errorf("autoscaler Role: %w", err)
		}
		var pods corev1.PodList
		if err := e.Client.List(ctx, &pods, client.InNamespace(c.Namespace), client.MatchingLabels{
			raypod.ClusterLabel: c.Name, raypod.NodeTypeLabel: "head"}); err != nil {
			return err
		}
		if len(pods.Items) == 0 {
			return errors.New("no head pod")
		}
		var got rayv1.RayCluster
		if err := e.Client.Get(ctx, client.ObjectKeyFromObject(c), &got); err != nil {
			return err
		}
		if got.Status.DesiredWorkerReplicas == 0 {
			return errors.New("no status written")
		}
		var events eventsv1.EventList
		if err := e.Client.List(ctx, &events, client.InNamespace(c.Namespace)); err != nil {
			return err
		}
		for _, ev := range events.Items {
			if ev.Regarding.Kind == "RayCluster" && ev.Regarding.Name == c.Name {
				return nil
			}
		}
		return errors.New("no event about the RayCluster")
	})
}
