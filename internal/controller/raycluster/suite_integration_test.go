//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
	"github.com/raykube/raykube/internal/testenv"
)

// eventuallyTimeout is how long the integration tests wait for the operator to act.
const eventuallyTimeout = 30 * time.Second

var (
	env *testenv.Env
	// stopOperator stops the operator the tests share; a test that runs its own operator stops
	// this one first and starts it again with startSharedOperator.
	stopOperator func()
)

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the test API server: %v\n", err)
		os.Exit(1)
	}
	if err := startSharedOperator(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the operator: %v\n", err)
		_ = env.Stop()
		os.Exit(1)
	}
	code := m.Run()
	stopOperator()
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the test API server: %v\n", err)
	}
	os.Exit(code)
}

// sharedMetricsAddr is where the shared operator serves its metrics.
var sharedMetricsAddr string

// startSharedOperator starts the operator the tests share, with its metrics endpoint on a free
// loopback port.
func startSharedOperator() error {
	if sharedMetricsAddr == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		sharedMetricsAddr = l.Addr().String()
		_ = l.Close()
	}
	opts := testOperatorOptions()
	opts.MetricsAddr = sharedMetricsAddr
	stop, err := startOperator(opts)
	stopOperator = stop
	return err
}

// testOperatorOptions are the operator's defaults without the servers and the election a test
// does not need.
func testOperatorOptions() operator.Options {
	opts := operator.DefaultOptions()
	opts.MetricsAddr, opts.HealthProbeAddr, opts.LeaderElect = "0", "0", false
	opts.SeveralManagersPerProcess = true
	return opts
}

// startOperator runs the operator's manager, as raykube-operator does, against the test API
// server, and returns a function that stops it and waits until it has stopped.
func startOperator(opts operator.Options) (stop func(), err error) {
	return startOperatorWith(env.Config, opts)
}

// startOperatorWith is startOperator with another client configuration (the benchmarks count
// the requests through it).
func startOperatorWith(cfg *rest.Config, opts operator.Options) (stop func(), err error) {
	log := logging.New("console", 0)
	ctrl.SetLogger(log)
	mgr, err := operator.NewManager(cfg, opts, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintf(os.Stderr, "operator stopped with an error: %v\n", err)
		}
	}, nil
}

// newNamespace creates a namespace for one test and deletes it when the test ends.
func newNamespace(t *testing.T) string { return env.NewNamespace(t, "rc-") }

// eventually waits until check returns nil, for at most eventuallyTimeout.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.Eventually(t, what, eventuallyTimeout, check)
}

// getCluster reads a RayCluster from the API server.
func getCluster(t *testing.T, c *rayv1.RayCluster) *rayv1.RayCluster {
	t.Helper()
	got := &rayv1.RayCluster{}
	if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(c), got); err != nil {
		t.Fatal(err)
	}
	return got
}

// listPods lists the live (not terminating) Ray pods of a cluster, sorted by name.
func listPods(t *testing.T, c *rayv1.RayCluster, labels map[string]string) []corev1.Pod {
	t.Helper()
	selector := client.MatchingLabels{"ray.io/cluster": c.Name}
	for k, v := range labels {
		selector[k] = v
	}
	var list corev1.PodList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(c.Namespace),
		selector); err != nil {
		t.Fatal(err)
	}
	var live []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			live = append(live, p)
		}
	}
	slices.SortFunc(live, func(a, b corev1.Pod) int { return cmpString(a.Name, b.Name) })
	return live
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// waitForPods waits until the cluster has n live pods matching labels and returns them.
func waitForPods(t *testing.T, c *rayv1.RayCluster, labels map[string]string, n int) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	eventually(t, fmt.Sprintf("%d pods with %v", n, labels), func() error {
		pods = listPods(t, c, labels)
		if len(pods) != n {
			return fmt.Errorf("%d pods", len(pods))
		}
		return nil
	})
	return pods
}

// setPodStatus plays the kubelet: it gives a pod a phase, readiness and an IP.
func setPodStatus(t *testing.T, pod *corev1.Pod, phase corev1.PodPhase, ready bool, ip string) {
	t.Helper()
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	pod.Status.Phase = phase
	pod.Status.PodIP = ip
	if ip != "" {
		pod.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	}
	pod.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
		{Type: corev1.PodReady, Status: status, LastTransitionTime: metav1.Now()},
	}
	if err := env.Client.Status().Update(context.Background(), pod); err != nil {
		t.Fatalf("setting the status of pod %s: %v", pod.Name, err)
	}
}

// runAll makes every live pod of the cluster Running and Ready, with IPs 10.0.0.<n>.
func runAll(t *testing.T, c *rayv1.RayCluster) {
	t.Helper()
	for i, p := range listPods(t, c, nil) {
		if p.Status.Phase == corev1.PodRunning {
			continue
		}
		setPodStatus(t, &p, corev1.PodRunning, true, fmt.Sprintf("10.0.0.%d", i+1))
	}
}

// waitForState waits until the cluster's status has the state and returns the cluster.
func waitForState(t *testing.T, c *rayv1.RayCluster, state rayv1.ClusterState) *rayv1.RayCluster {
	t.Helper()
	var got *rayv1.RayCluster
	eventually(t, fmt.Sprintf("state %q", state), func() error {
		got = getCluster(t, c)
		if got.Status.State != state {
			return fmt.Errorf("state %q, reason %q", got.Status.State, got.Status.Reason)
		}
		return nil
	})
	return got
}

// eventsOf lists the events regarding the cluster, oldest first.
func eventsOf(t *testing.T, c *rayv1.RayCluster) []eventsv1.Event {
	t.Helper()
	var list eventsv1.EventList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(c.Namespace)); err != nil {
		t.Fatal(err)
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Name == c.Name && e.Regarding.Kind == "RayCluster" {
			out = append(out, e)
		}
	}
	return out
}

// waitForEvent waits for an event of the cluster with the reason.
func waitForEvent(t *testing.T, c *rayv1.RayCluster, reason string) {
	t.Helper()
	eventually(t, "event "+reason, func() error {
		for _, e := range eventsOf(t, c) {
			if e.Reason == reason {
				return nil
			}
		}
		return fmt.Errorf("no event with reason %s", reason)
	})
}

// waitForEventMessage waits for an event of the cluster with exactly this message.
func waitForEventMessage(t *testing.T, c *rayv1.RayCluster, message string) {
	t.Helper()
	eventually(t, "event "+message, func() error {
		var notes []string
		for _, e := range eventsOf(t, c) {
			if e.Note == message {
				return nil
			}
			notes = append(notes, e.Note)
		}
		return fmt.Errorf("no event with that message; events: %q", notes)
	})
}
