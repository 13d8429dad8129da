//go:build e2e

// Package e2e tests raykube end to end on the local environment: a real control plane with
// KWOK nodes, the operator running as its own process (the raykube program built here), and
// the KubeRay sample manifests applied unchanged.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/localenv"
	"github.com/raykube/raykube/internal/testenv"
)

// Timeouts shared by the tests.
const (
	// readyTimeout bounds the wait for a cluster to become ready.
	readyTimeout = 3 * time.Minute
	// pollInterval is how often a condition is checked.
	pollInterval = 250 * time.Millisecond
)

// suite is the environment every test shares.
var suite struct {
	env      *localenv.Env
	root     string
	raykube  string // the raykube program built for the tests
	binaries localenv.Binaries
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := testenv.RepoRoot()
	if err != nil {
		return fail(err)
	}
	bins, err := localenv.FindBinaries(root)
	if err == nil {
		err = bins.Check()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			return fail(err)
		}
		fmt.Fprintf(os.Stderr, "e2e: skipped: %v\n", err)
		return 0
	}
	tmp, err := os.MkdirTemp("", "raykube-e2e-")
	if err != nil {
		return fail(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	suite.root, suite.binaries = root, bins
	suite.raykube = filepath.Join(tmp, "raykube")
	if err := buildRaykube(root, suite.raykube); err != nil {
		return fail(err)
	}

	env, err := localenv.Up(context.Background(), suiteOptions(tmp))
	if err != nil {
		return fail(fmt.Errorf("starting the local environment: %w", err))
	}
	suite.env = env
	code := m.Run()
	if err := env.Stop(context.Background()); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: stopping the local environment: %v\n", err)
		code = 1
	}
	if code != 0 {
		// Keep the logs of a failed run.
		_ = exec.Command("cp", "-r", filepath.Join(tmp, "state", "logs"),
			filepath.Join(os.TempDir(), "raykube-e2e-logs")).Run()
		fmt.Fprintf(os.Stderr, "e2e: component logs copied to %s\n",
			filepath.Join(os.TempDir(), "raykube-e2e-logs"))
	}
	return code
}

// suiteOptions start an environment large enough for every sample at once: eight nodes of 16
// CPUs and 64 GiB.
func suiteOptions(tmp string) localenv.Options {
	cfg := localenv.DefaultConfig()
	cfg.Nodes[0].Count = 8
	return localenv.Options{
		StateDir:        filepath.Join(tmp, "state"),
		Binaries:        suite.binaries,
		CRDDir:          filepath.Join(suite.root, "config", "crd", "bases"),
		RBACDir:         filepath.Join(suite.root, "config", "rbac"),
		Config:          cfg,
		OperatorCommand: []string{suite.raykube, "local", "operator"},
		Timeout:         2 * time.Minute,
		Out:             prefixWriter{},
	}
}

// buildRaykube builds cmd/raykube, which the environment runs the operator with.
func buildRaykube(root, out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/raykube")
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building raykube: %w\n%s", err, output)
	}
	return nil
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
	return 1
}

// prefixWriter shows the environment's progress in the test output.
type prefixWriter struct{}

func (prefixWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		fmt.Printf("e2e: %s\n", line)
	}
	return len(p), nil
}

// newNamespace creates a namespace for one test and waits for its default ServiceAccount,
// without which no pod is admitted.
func newNamespace(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	c := suite.env.Client
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(ctx, ns); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	eventually(t, "the default ServiceAccount of "+name, time.Minute, func() error {
		key := client.ObjectKey{Namespace: name, Name: "default"}
		return c.Get(ctx, key, &corev1.ServiceAccount{})
	})
	return name
}

// eventually polls check until it returns nil, failing the test with its last error after
// timeout.
func eventually(t *testing.T, what string, timeout time.Duration, check func() error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), pollInterval, timeout, true,
		func(context.Context) (bool, error) {
			last = check()
			return last == nil, nil
		})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last: %v)", what, err, last)
	}
}

// kubectl runs the kubectl built with the control plane as the administrator.
func kubectl(args ...string) (string, error) {
	cmd := exec.Command(suite.binaries.Kubectl(),
		append([]string{"--kubeconfig", suite.env.Kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
