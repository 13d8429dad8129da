//go:build integration

package kubectlray

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/testenv"
)

var (
	env *testenv.Env
	// kubeconfig reaches env's API server; every command is given it with --kubeconfig.
	kubeconfig string
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the test API server: %v\n", err)
		os.Exit(1)
	}
	code := 1
	if kubeconfig, err = env.Kubeconfig(); err != nil {
		fmt.Fprintf(os.Stderr, "no kubeconfig for the test API server: %v\n", err)
	} else {
		code = m.Run()
	}
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the test API server: %v\n", err)
	}
	os.Exit(code)
}

// run runs `kubectl ray args...` in this process against the test API server, with the
// clock at now and stdin as standard input.
func run(t *testing.T, now time.Time, stdin string,
	args ...string) (stdout, stderr string, err error) {
	t.Helper()
	o := Options{Clock: clocktesting.NewFakePassiveClock(now)}
	return runWith(o, stdin, args...)
}

// runWith runs `kubectl ray args...` with o against the test API server.
func runWith(o Options, stdin string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	o.IOStreams = genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out,
		ErrOut: &errOut}
	cmd := NewCommand(o)
	cmd.SetArgs(append(args, "--kubeconfig", kubeconfig))
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// mustRun is run for a command that must succeed; it returns standard output.
func mustRun(t *testing.T, now time.Time, args ...string) string {
	t.Helper()
	stdout, stderr, err := run(t, now, "", args...)
	if err != nil {
		t.Fatalf("kubectl ray %s: %v (stderr %q)", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

// wantStdout runs a command that must succeed and print exactly want.
func wantStdout(t *testing.T, want string, args ...string) {
	t.Helper()
	if got := mustRun(t, time.Now(), args...); got != want {
		t.Errorf("kubectl ray %s printed %q, want %q", strings.Join(args, " "), got, want)
	}
}

// wantError runs a command that must fail with exactly the error want.
func wantError(t *testing.T, want string, args ...string) {
	t.Helper()
	_, _, err := run(t, time.Now(), "", args...)
	if err == nil || err.Error() != want {
		t.Errorf("kubectl ray %s: error %v, want %q", strings.Join(args, " "), err, want)
	}
}

// namespace creates namespace name, so that tables have fixed widths, and deletes its
// RayClusters when the test ends. The test API server has no namespace controller: a
// deleted namespace would keep its clusters, and other tests' -A would list them.
func namespace(t *testing.T, name string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := env.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = env.Client.DeleteAllOf(context.Background(), &rayv1.RayCluster{},
			client.InNamespace(name))
		_ = env.Client.Delete(context.Background(), ns)
	})
	return name
}

// readCluster reads RayCluster name in ns.
func readCluster(t *testing.T, ns, name string) *rayv1.RayCluster {
	t.Helper()
	var rc rayv1.RayCluster
	if err := env.Client.Get(context.Background(), keyOf(ns, name), &rc); err != nil {
		t.Fatal(err)
	}
	return &rc
}

// writeStatus plays the operator: it writes st as the status of RayCluster name in ns.
func writeStatus(t *testing.T, ns, name string, st rayv1.RayClusterStatus) *rayv1.RayCluster {
	t.Helper()
	rc := readCluster(t, ns, name)
	rc.Status = st
	if err := env.Client.Status().Update(context.Background(), rc); err != nil {
		t.Fatal(err)
	}
	return rc
}

// toYAML is v as YAML, for comparing objects with cmp.Diff line by line.
func toYAML(t *testing.T, v any) string {
	t.Helper()
	data, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// keyOf is the key of object name in ns.
func keyOf(ns, name string) client.ObjectKey {
	return client.ObjectKey{Namespace: ns, Name: name}
}

// eventually waits for check to pass.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.Eventually(t, what, 30*time.Second, check)
}
