//go:build integration

package crd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// openAPIPublishTimeout bounds the wait for the API server to publish a new CRD's OpenAPI
// document, which it does asynchronously after the CRD is established.
const openAPIPublishTimeout = 60 * time.Second

// kubectlEventually runs kubectl until it succeeds or openAPIPublishTimeout passes, and returns
// the last output and error.
func kubectlEventually(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out string
	var lastErr error
	_ = wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond,
		openAPIPublishTimeout, true, func(context.Context) (bool, error) {
			out, lastErr = env.Kubectl(args...)
			return lastErr == nil, nil
		})
	return out, lastErr
}

// TestKubectlExplain checks that the CRD keeps the descriptions of raykube's own fields, so that
// `kubectl explain` is useful.
func TestKubectlExplain(t *testing.T) {
	cases := map[string]struct {
		args []string
		want []string
	}{
		"worker groups": {
			args: []string{"explain", "raycluster.spec.workerGroupSpecs"},
			want: []string{
				"workerGroupSpecs are the groups of worker pods",
				"groupName\t<string> -required-",
				"numOfHosts is the number of pods per replica",
				"minReplicas is the lowest number of replicas",
			},
		},
		"status state": {
			args: []string{"explain", "raycluster.status.state"},
			want: []string{"state summarises the cluster: ready, unhealthy, failed, suspended"},
		},
		"v1alpha1 head replicas": {
			args: []string{"explain", "raycluster.spec.headGroupSpec.replicas",
				"--api-version=ray.io/v1alpha1"},
			want: []string{"replicas is accepted for manifests written for ray.io/v1alpha1 and ignored"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := kubectlEventually(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "\t", " TAB ")), " ")
			for _, want := range tc.want {
				w := strings.Join(strings.Fields(strings.ReplaceAll(want, "\t", " TAB ")), " ")
				if !strings.Contains(flat, w) {
					t.Errorf("kubectl %v output lacks %q:\n%s", tc.args, want, out)
				}
			}
		})
	}
}

// TestKubectlApplyRefusesBadNames is known case 14: kubectl apply refuses a name with a dot and a
// 54-character name, saying what is wrong with the name.
func TestKubectlApplyRefusesBadNames(t *testing.T) {
	ns := createNamespace(context.Background(), t)
	for _, name := range []string{"demo.cluster", strings.Repeat("n", 54)} {
		for _, mode := range []string{"--server-side=false", "--server-side=true"} {
			manifest := strings.Replace(validCluster, "name: demo", "name: "+name, 1)
			file := filepath.Join(t.TempDir(), "cluster.yaml")
			if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := env.Kubectl("apply", mode, "-n", ns, "-f", file)
			if err == nil {
				t.Fatalf("kubectl apply %s of %q succeeded, want refused", mode, name)
			}
			if !strings.Contains(err.Error(), "metadata.name must") {
				t.Errorf("kubectl apply %s of %q: error does not explain the name: %v", mode, name, err)
			}
		}
	}
}

// TestPrinterColumns checks the columns of `kubectl get rayclusters`, with and without -o wide.
func TestPrinterColumns(t *testing.T) {
	cases := map[string]struct {
		args []string
		want []string
	}{
		"default": {
			args: []string{"get", "rayclusters", "-A"},
			want: []string{"NAMESPACE", "NAME", "DESIRED WORKERS", "AVAILABLE WORKERS", "CPUS",
				"MEMORY", "GPUS", "STATUS", "AGE"},
		},
		"wide": {
			args: []string{"get", "rayclusters", "-A", "-o", "wide"},
			want: []string{"NAMESPACE", "NAME", "DESIRED WORKERS", "AVAILABLE WORKERS", "CPUS",
				"MEMORY", "GPUS", "TPUS", "STATUS", "AGE", "HEAD POD IP", "HEAD SERVICE IP"},
		},
	}
	ctx := context.Background()
	obj := parseCluster(t)
	obj.SetNamespace(createNamespace(ctx, t))
	if err := env.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := env.Kubectl(tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			header := strings.SplitN(out, "\n", 2)[0]
			var got []string
			for _, col := range strings.Split(header, "  ") {
				if col = strings.TrimSpace(col); col != "" {
					got = append(got, col)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("columns = %q, want %q", got, tc.want)
			}
		})
	}
}
