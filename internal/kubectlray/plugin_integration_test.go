//go:build integration

package kubectlray

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// TestKubectlFindsPlugin builds kubectl-ray, puts it on the PATH and runs it as kubectl does
// for `kubectl ray ...`: kubectl finds the plugin, passes it the arguments and the
// environment (KUBECONFIG), and the plugin's exit code and one-line error come back.
func TestKubectlFindsPlugin(t *testing.T) {
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "kubectl-ray"),
		"./cmd/kubectl-ray")
	build.Dir = env.RepoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kubectl-ray: %v\n%s", err, out)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	ns := namespace(t, "ray-plugin")
	mustRun(t, time.Now(), "create", "cluster", "demo", "-n", ns)
	writeStatus(t, ns, "demo", rayv1.RayClusterStatus{State: rayv1.Ready, ObservedGeneration: 1,
		DesiredWorkerReplicas: 1, AvailableWorkerReplicas: 1,
		DesiredCPU: resource.MustParse("4"), DesiredMemory: resource.MustParse("8Gi")})

	out, err := env.Kubectl("ray", "get", "cluster", "-n", ns)
	if err != nil {
		t.Fatal(err)
	}
	// The age is the only value the test does not fix.
	want := regexp.MustCompile(`^` +
		`NAME   NAMESPACE    DESIRED WORKERS   AVAILABLE WORKERS   CPUS   GPUS   TPUS   ` +
		`MEMORY   CONDITION   STATUS   AGE\n` +
		`demo   ray-plugin   1                 1                   4      0      0      ` +
		`8Gi      <none>      ready    [0-9]+s\n$`)
	if !want.MatchString(out) {
		t.Errorf("kubectl ray get cluster printed\n%s\nwant it to match\n%s", out, want)
	}

	_, err = env.Kubectl("ray", "get", "cluster", "missing", "-n", ns)
	wantTail := ": exit status 1: " +
		"error: RayCluster \"missing\" not found in namespace \"ray-plugin\"\n"
	if err == nil || !strings.HasSuffix(err.Error(), wantTail) {
		t.Errorf("kubectl ray get cluster missing: %v, want an error ending in %q", err, wantTail)
	}

	_, err = env.Kubectl("ray", "get", "foo")
	wantTail = ": exit status 1: error: unknown resource \"foo\" for \"kubectl ray get\": " +
		"use one of cluster, nodes, workergroups\n"
	if err == nil || !strings.HasSuffix(err.Error(), wantTail) {
		t.Errorf("kubectl ray get foo: %v, want an error ending in %q", err, wantTail)
	}

	out, err = env.Kubectl("ray", "version")
	if err != nil {
		t.Fatal(err)
	}
	wantVersion := regexp.MustCompile(`^kubectl-ray: \S+\n` +
		`Kubernetes server: v1\.[0-9]+\.[0-9]+\S*\n` +
		`RayCluster API \(ray.io/v1\): served\n$`)
	if !wantVersion.MatchString(out) {
		t.Errorf("kubectl ray version printed\n%s\nwant it to match\n%s", out, wantVersion)
	}
}
