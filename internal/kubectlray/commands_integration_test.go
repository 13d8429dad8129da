//go:build integration

package kubectlray

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/utils/clock"
	"sigs.k8s.io/yaml"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// aMonth is far enough after the test's objects were made that all their ages read "30d",
// whichever second of the test each was made in.
const aMonth = 30*24*time.Hour + time.Hour

// readyStatus is what the operator would write for the cluster that TestClusterLifecycle
// creates, once its head and one of its two workers are ready: a head of 2 CPUs and 4Gi and
// two workers of 1 CPU and 2Gi.
func readyStatus(created metav1.Time) rayv1.RayClusterStatus {
	at := func(d time.Duration) metav1.Time { return metav1.NewTime(created.Add(d)) }
	return rayv1.RayClusterStatus{
		State: rayv1.Ready, ObservedGeneration: 1,
		DesiredWorkerReplicas: 2, AvailableWorkerReplicas: 2, ReadyWorkerReplicas: 1,
		MinWorkerReplicas: 1, MaxWorkerReplicas: 4,
		DesiredCPU: resource.MustParse("4"), DesiredMemory: resource.MustParse("8Gi"),
		Head: rayv1.HeadInfo{PodIP: "10.244.0.5", ServiceIP: "10.96.0.20",
			PodName: "demo-head-abcde", ServiceName: "demo-head-svc"},
		Conditions: []metav1.Condition{
			{Type: string(rayv1.HeadPodReady), Status: metav1.ConditionTrue,
				Reason: rayv1.HeadPodRunningAndReady, LastTransitionTime: at(10 * time.Second)},
			{Type: string(rayv1.RayClusterProvisioned), Status: metav1.ConditionTrue,
				Reason:             rayv1.AllPodRunningAndReadyFirstTime,
				LastTransitionTime: at(20 * time.Second)},
		},
	}
}

// TestClusterLifecycle creates a cluster with the plugin, plays the operator by writing its
// status and pods, and checks what get shows, what scale and create workergroup change, and
// that delete asks first.
func TestClusterLifecycle(t *testing.T) {
	ns := namespace(t, "ray-life")
	wantStdout(t, "Created RayCluster \"demo\" in namespace \"ray-life\"\n",
		"create", "cluster", "demo", "-n", ns,
		"--worker-group", "workers", "--worker-replicas", "2", "--worker-min-replicas", "1",
		"--worker-max-replicas", "4", "--worker-cpu", "1", "--worker-memory", "2Gi",
		"--labels", "team=ml")
	rc := readCluster(t, ns, "demo")
	golden(t, "created-spec.yaml", toYAML(t, rc.Spec))
	if diff := cmp.Diff(map[string]string{"team": "ml"}, rc.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	wantError(t, `RayCluster "demo" already exists in namespace "ray-life"`,
		"create", "cluster", "demo", "-n", ns)

	created := rc.CreationTimestamp
	later := created.Add(90 * time.Second)
	golden(t, "get-cluster-new.txt", mustRun(t, later, "get", "cluster", "-n", ns))

	writeStatus(t, ns, "demo", readyStatus(created))
	golden(t, "get-cluster.txt", mustRun(t, later, "get", "cluster", "-n", ns))
	golden(t, "get-cluster-wide.txt",
		mustRun(t, later, "get", "cluster", "demo", "-n", ns, "-o", "wide"))
	wantStdout(t, "ready", "get", "cluster", "demo", "-n", ns, "-o", "jsonpath={.status.state}")
	checkYAMLOutput(t, mustRun(t, later, "get", "cluster", "demo", "-n", ns, "-o", "yaml"), rc.UID)

	makeRayPods(t, ns)
	golden(t, "get-workergroups.txt",
		mustRun(t, created.Add(aMonth), "get", "workergroups", "-c", "demo", "-n", ns))
	golden(t, "get-nodes.txt",
		mustRun(t, created.Add(aMonth), "get", "nodes", "-c", "demo", "-n", ns))

	checkScale(t, ns)
	checkCreateWorkerGroup(t, ns)
	checkDelete(t, ns)
}

// checkYAMLOutput checks that -o yaml printed the stored cluster, typed, without managed
// fields.
func checkYAMLOutput(t *testing.T, out string, uid any) {
	t.Helper()
	var printed rayv1.RayCluster
	if err := yaml.UnmarshalStrict([]byte(out), &printed); err != nil {
		t.Fatalf("-o yaml is not a RayCluster: %v\n%s", err, out)
	}
	got := []any{printed.APIVersion, printed.Kind, printed.UID, printed.Status.State,
		len(printed.ManagedFields)}
	want := []any{"ray.io/v1", "RayCluster", uid, rayv1.Ready, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-o yaml (-want +got):\n%s", diff)
	}
}

// makeRayPods plays the operator and the kubelet: a ready head, one ready worker and one
// Pending worker of cluster demo.
func makeRayPods(t *testing.T, ns string) {
	t.Helper()
	pods := []struct {
		name, group, ip string
		phase           corev1.PodPhase
		ready           bool
	}{
		{"demo-head-abcde", raypod.HeadGroupName, "10.244.0.5", corev1.PodRunning, true},
		{"demo-workers-worker-fghij", "workers", "10.244.0.6", corev1.PodRunning, true},
		{"demo-workers-worker-klmno", "workers", "", corev1.PodPending, false},
	}
	for _, p := range pods {
		pod := makePod(p.name, p.group, p.phase, p.ready)
		pod.Namespace, pod.CreationTimestamp = ns, metav1.Time{}
		status := pod.Status
		status.PodIP = p.ip
		if p.ip != "" {
			status.PodIPs = []corev1.PodIP{{IP: p.ip}}
		}
		if err := env.Client.Create(context.Background(), &pod); err != nil {
			t.Fatal(err)
		}
		pod.Status = status
		if err := env.Client.Status().Update(context.Background(), &pod); err != nil {
			t.Fatal(err)
		}
	}
}

// checkScale scales the group within and outside its bounds and checks that only replicas
// changed.
func checkScale(t *testing.T, ns string) {
	t.Helper()
	before := readCluster(t, ns, "demo")
	scale := []string{"scale", "cluster", "demo", "-n", ns, "--worker-group"}
	wantStdout(t, "Scaled worker group \"workers\" of RayCluster \"demo\" in namespace "+
		"\"ray-life\" from 2 to 3 replicas\n", append(scale, "workers", "--replicas", "3")...)
	after := readCluster(t, ns, "demo")
	wantSpec := before.Spec.DeepCopy()
	wantSpec.WorkerGroupSpecs[0].Replicas = new(int32(3))
	if diff := cmp.Diff(toYAML(t, wantSpec), toYAML(t, after.Spec)); diff != "" {
		t.Errorf("spec after scale (-want +got):\n%s", diff)
	}
	if after.Generation != before.Generation+1 {
		t.Errorf("generation %d after scale, want %d", after.Generation, before.Generation+1)
	}

	wantStdout(t, "Worker group \"workers\" of RayCluster \"demo\" already has 3 replicas; "+
		"nothing changed\n", append(scale, "workers", "--replicas", "3")...)
	refused := `cannot scale worker group "workers" of RayCluster "demo" to `
	wantError(t, refused+"5 replicas: its maxReplicas is 4",
		append(scale, "workers", "--replicas", "5")...)
	wantError(t, refused+"0 replicas: its minReplicas is 1",
		append(scale, "workers", "--replicas", "0")...)
	wantError(t, `RayCluster "demo" in namespace "ray-life" has no worker group "gpu" `+
		"(its groups: workers)", append(scale, "gpu", "--replicas", "1")...)
	wantError(t, `required flag(s) "replicas" not set`, append(scale, "workers")...)
	if got := readCluster(t, ns, "demo"); got.Generation != after.Generation {
		t.Errorf("a refused scale changed the spec: generation %d, want %d",
			got.Generation, after.Generation)
	}
}

// checkCreateWorkerGroup adds a group and checks that a second group of that name is refused.
func checkCreateWorkerGroup(t *testing.T, ns string) {
	t.Helper()
	before := readCluster(t, ns, "demo")
	add := []string{"create", "workergroup", "gpu", "--ray-cluster", "demo", "-n", ns}
	wantStdout(t, "Added worker group \"gpu\" to RayCluster \"demo\" in namespace \"ray-life\"\n",
		append(add, "--replicas", "1", "--max-replicas", "2", "--cpu", "4", "--memory", "16Gi",
			"--gpu", "1")...)
	after := readCluster(t, ns, "demo")
	groups := after.Spec.WorkerGroupSpecs
	if len(groups) != 2 {
		t.Fatalf("%d worker groups after create workergroup, want 2", len(groups))
	}
	wantFirst := toYAML(t, before.Spec.WorkerGroupSpecs[0])
	if diff := cmp.Diff(wantFirst, toYAML(t, groups[0])); diff != "" {
		t.Errorf("the existing group changed (-want +got):\n%s", diff)
	}
	golden(t, "added-group.yaml", toYAML(t, groups[1]))

	wantError(t, `RayCluster "demo" in namespace "ray-life" already has a worker group "gpu"`,
		add...)
	wantError(t, `--gpu "x" is not a whole number of GPUs (0, 1, 2, ...)`,
		"create", "workergroup", "tpu", "--ray-cluster", "demo", "-n", ns, "--gpu", "x")
}

// checkDelete answers no, then yes, and checks the cluster is gone; then every command names
// the missing cluster.
func checkDelete(t *testing.T, ns string) {
	t.Helper()
	stdout, stderr, err := run(t, time.Now(), "n\n", "delete", "demo", "-n", ns)
	if err != nil || stdout != "Nothing deleted\n" ||
		stderr != "Delete RayCluster \"demo\" in namespace \"ray-life\"? [y/N]: " {
		t.Errorf("delete, answered no: %v, stdout %q, stderr %q", err, stdout, stderr)
	}
	readCluster(t, ns, "demo")

	stdout, stderr, err = run(t, time.Now(), "", "delete", "demo", "-n", ns)
	if err != nil || stdout != "Nothing deleted\n" ||
		stderr != "Delete RayCluster \"demo\" in namespace \"ray-life\"? [y/N]: \n" {
		t.Errorf("delete, no answer: %v, stdout %q, stderr %q", err, stdout, stderr)
	}
	readCluster(t, ns, "demo")

	// raycluster/NAME, as kubectl writes it, names the same cluster.
	stdout, _, err = run(t, time.Now(), "y\n", "delete", "raycluster/demo", "-n", ns)
	want := "Deleted RayCluster \"demo\" in namespace \"ray-life\"\n"
	if err != nil || stdout != want {
		t.Errorf("delete, answered yes: %v, stdout %q, want %q", err, stdout, want)
	}
	var rc rayv1.RayCluster
	err = env.Client.Get(context.Background(), keyOf(ns, "demo"), &rc)
	if !apierrors.IsNotFound(err) {
		t.Errorf("after delete: %v, want not found", err)
	}

	missing := `RayCluster "demo" not found in namespace "ray-life"`
	for _, args := range [][]string{
		{"get", "cluster", "demo"},
		{"get", "workergroups", "-c", "demo"},
		{"get", "nodes", "-c", "demo"},
		{"scale", "cluster", "demo", "--worker-group", "workers", "--replicas", "1"},
		{"create", "workergroup", "more", "--ray-cluster", "demo"},
		{"delete", "demo", "-y"},
	} {
		wantError(t, missing, append(args, "-n", ns)...)
	}
}

// TestGetAcrossNamespaces lists clusters of two namespaces with -A, and an empty namespace.
func TestGetAcrossNamespaces(t *testing.T) {
	var created metav1.Time
	for _, ns := range []string{namespace(t, "ray-team-a"), namespace(t, "ray-team-b")} {
		mustRun(t, time.Now(), "create", "cluster", "shared", "-n", ns, "--worker-replicas", "3",
			"--worker-gpu", "1")
		st := rayv1.RayClusterStatus{ObservedGeneration: 1, DesiredWorkerReplicas: 3,
			DesiredCPU: resource.MustParse("8"), DesiredMemory: resource.MustParse("16Gi"),
			DesiredGPU: resource.MustParse("3"),
			Reason:     "the head pod is Pending: 0/4 nodes are available"}
		if ns == "ray-team-b" {
			st.State, st.Reason = rayv1.Failed, "quota exceeded"
		}
		created = writeStatus(t, ns, "shared", st).CreationTimestamp
	}
	golden(t, "get-cluster-all.txt",
		mustRun(t, created.Add(aMonth), "get", "cluster", "-A", "-o", "wide"))

	empty := namespace(t, "ray-empty")
	stdout, stderr, err := run(t, time.Now(), "", "get", "cluster", "-n", empty)
	wantNote := "No RayClusters found in namespace \"ray-empty\".\n"
	if err != nil || stdout != "" || stderr != wantNote {
		t.Errorf("get in an empty namespace: %v, stdout %q, stderr %q", err, stdout, stderr)
	}
	stdout, stderr, err = run(t, time.Now(), "", "get", "workergroups", "-n", empty)
	if err != nil || stdout != "" || stderr != wantNote {
		t.Errorf("get workergroups in an empty namespace: %v, stdout %q, stderr %q",
			err, stdout, stderr)
	}
	headOnly := makeCluster().obj()
	headOnly.Namespace, headOnly.CreationTimestamp = empty, metav1.Time{}
	if err := env.Client.Create(context.Background(), &headOnly); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err = run(t, time.Now(), "", "get", "workergroups", "-n", empty)
	wantNote = "No worker groups found in namespace \"ray-empty\".\n"
	if err != nil || stdout != "" || stderr != wantNote {
		t.Errorf("get workergroups of a cluster without groups: %v, stdout %q, stderr %q",
			err, stdout, stderr)
	}

	wantError(t, "a RayCluster is named within one namespace: leave out -A or the name",
		"get", "cluster", "shared", "-A")
	wantError(t, `--output "yaml" is not offered here: leave it out or use wide`,
		"get", "workergroups", "-o", "yaml")
}

// TestCreateWait creates clusters with --wait: one that the test, playing the operator, makes
// ready, and one that stays provisioning until the timeout.
func TestCreateWait(t *testing.T) {
	ns := namespace(t, "ray-wait")
	type result struct {
		stdout string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		stdout, _, err := run(t, time.Now(), "", "create", "cluster", "quick", "-n", ns,
			"--wait", "--timeout", "2m")
		done <- result{stdout, err}
	}()
	var rc rayv1.RayCluster
	eventually(t, "the cluster is created", func() error {
		return env.Client.Get(context.Background(), keyOf(ns, "quick"), &rc)
	})
	writeStatus(t, ns, "quick", rayv1.RayClusterStatus{State: rayv1.Ready, ObservedGeneration: 1})
	r := <-done
	want := "Created RayCluster \"quick\" in namespace \"ray-wait\"\n" +
		"Waiting up to 2m0s for RayCluster \"quick\" to be ready\n" +
		"RayCluster \"quick\" is ready\n"
	if r.err != nil || r.stdout != want {
		t.Errorf("create --wait: %v, stdout %q, want %q", r.err, r.stdout, want)
	}

	stdout, _, err := run(t, time.Now(), "", "create", "cluster", "slow", "-n", ns,
		"--wait", "--timeout", "1s")
	wantErr := `RayCluster "slow" in namespace "ray-wait" is not ready after 1s: state <none>`
	created := strings.HasPrefix(stdout, `Created RayCluster "slow"`)
	if err == nil || err.Error() != wantErr || !created {
		t.Errorf("create --wait that times out: %v, stdout %q; want error %q", err, stdout, wantErr)
	}

	stdout = mustRun(t, time.Now(), "create", "cluster", "draft", "-n", ns, "--dry-run")
	golden(t, "create-dry-run.yaml", stdout)
	err = env.Client.Get(context.Background(), keyOf(ns, "draft"), &rc)
	if !apierrors.IsNotFound(err) {
		t.Errorf("--dry-run created the cluster: %v", err)
	}
}

// TestCreateWaitDeadlineInFlight waits for a cluster that never becomes ready with a client
// whose rate limiter makes a call wait past the end of --timeout. The wait must end with where
// the cluster stands, not with the error of the call in flight (client-go's rate limiter
// refuses a call it predicts would end after a context's deadline).
func TestCreateWaitDeadlineInFlight(t *testing.T) {
	t.Cleanup(func() {
		_ = env.Client.Delete(context.Background(), &rayv1.RayCluster{
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "slow"}})
	})
	// Two calls at once, then one every 3.3 seconds: after discovery and the create, the
	// first read waits 3.3s, the second would wait until 6.7s after the wait began, past the
	// 5s timeout.
	slow := func(cfg *rest.Config) *rest.Config {
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(0.3, 2)
		return cfg
	}
	stdout, _, err := runWith(Options{Clock: clock.RealClock{}, wrapConfig: slow}, "",
		"create", "cluster", "slow", "--head-cpu", "100", "--wait", "--timeout", "5s")
	wantOut := "Created RayCluster \"slow\" in namespace \"default\"\n" +
		"Waiting up to 5s for RayCluster \"slow\" to be ready\n"
	wantErr := `RayCluster "slow" in namespace "default" is not ready after 5s: state <none>`
	if err == nil || err.Error() != wantErr || stdout != wantOut {
		t.Errorf("create --wait with a call in flight at the timeout: error %v, stdout %q; "+
			"want error %q, stdout %q", err, stdout, wantErr, wantOut)
	}
}
