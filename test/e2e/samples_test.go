//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/controller/raycluster"
	"github.com/raykube/raykube/internal/localenv"
	"github.com/raykube/raykube/internal/raypod"
	"github.com/raykube/raykube/internal/testenv"
)

// tpuLabels are the labels GKE gives the nodes of a TPU v4 slice of topology 2x2x2, which the
// tpu-v4-multihost sample selects.
var tpuLabels = map[string]string{
	"cloud.google.com/gke-tpu-accelerator": "tpu-v4-podslice",
	"cloud.google.com/gke-tpu-topology":    "2x2x2",
}

// TestE2ESamples applies every sample manifest unchanged, with its ConfigMaps, Secrets and
// Deployments, each in its own namespace and all at once, and checks that each cluster becomes
// ready with the pods and head Service its spec implies.
func TestE2ESamples(t *testing.T) {
	t.Parallel()
	files := testenv.SampleFiles(t, suite.root)
	addTPUNodes(t)

	start := time.Now()
	samples := make([]*sample, len(files))
	for i, f := range files {
		samples[i] = newSample(t, f)
	}
	for _, s := range samples {
		s.apply(t)
	}
	readyAt := waitAllReady(samples, readyTimeout)

	took := map[string]time.Duration{}
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			at, ok := readyAt[s.key]
			if !ok {
				c := &rayv1.RayCluster{}
				err := suite.env.Client.Get(context.Background(), s.key, c)
				t.Fatalf("not ready after %s: state %q, reason %q (%v)", readyTimeout,
					c.Status.State, c.Status.Reason, err)
			}
			took[s.name] = at.Sub(s.applied)
			s.check(t, took[s.name])
		})
	}
	printSummary(took, len(files), time.Since(start))
}

// sample is one sample manifest applied in its own namespace.
type sample struct {
	file, name string
	// key names the sample's RayCluster.
	key     client.ObjectKey
	applied time.Time
}

// newSample creates the sample's namespace.
func newSample(t *testing.T, file string) *sample {
	t.Helper()
	version := filepath.Base(filepath.Dir(file))
	short := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "ray-cluster."), ".yaml")
	ns := newNamespace(t, strings.ToLower(version+"-"+short))
	return &sample{file: file, name: version + "/" + filepath.Base(file),
		key: client.ObjectKey{Namespace: ns, Name: rayClusterName(t, file)}}
}

// apply applies the whole file server-side, which validates every field strictly.
func (s *sample) apply(t *testing.T) {
	t.Helper()
	s.applied = time.Now()
	_, err := kubectl("apply", "--server-side", "--field-manager=e2e", "-n", s.key.Namespace,
		"-f", s.file)
	if err != nil {
		t.Fatal(err)
	}
}

// waitAllReady polls every sample's cluster until all are ready or timeout passes, and returns
// when each was first seen ready.
func waitAllReady(samples []*sample, timeout time.Duration) map[client.ObjectKey]time.Time {
	wanted := map[client.ObjectKey]bool{}
	for _, s := range samples {
		wanted[s.key] = true
	}
	readyAt := map[client.ObjectKey]time.Time{}
	deadline := time.Now().Add(timeout)
	for len(readyAt) < len(wanted) && time.Now().Before(deadline) {
		list := &rayv1.RayClusterList{}
		if err := suite.env.Client.List(context.Background(), list); err == nil {
			now := time.Now()
			for i := range list.Items {
				c := &list.Items[i]
				key := client.ObjectKeyFromObject(c)
				_, seen := readyAt[key]
				if wanted[key] && !seen && c.Status.State == rayv1.Ready {
					readyAt[key] = now
				}
			}
		}
		time.Sleep(pollInterval)
	}
	return readyAt
}

// check verifies the pods and the head Service of a ready sample cluster.
func (s *sample) check(t *testing.T, took time.Duration) {
	t.Helper()
	c := &rayv1.RayCluster{}
	if err := suite.env.Client.Get(context.Background(), s.key, c); err != nil {
		t.Fatal(err)
	}
	wantPods := 1
	for i := range c.Spec.WorkerGroupSpecs {
		wantPods += int(raycluster.GroupDesiredPods(&c.Spec.WorkerGroupSpecs[i]))
	}
	if got := runningPods(t, c); got != wantPods {
		t.Errorf("%d running pods, want %d", got, wantPods)
	}
	svc := &corev1.Service{}
	key := client.ObjectKey{Namespace: c.Namespace, Name: raypod.HeadServiceName(c)}
	if err := suite.env.Client.Get(context.Background(), key, svc); err != nil {
		t.Errorf("head Service: %v", err)
	}
	t.Logf("%s: ready %.1fs after apply, with %d pods and Service %s", s.name, took.Seconds(),
		wantPods, key.Name)
}

// addTPUNodes registers two TPU v4 hosts (4 chips each) through the add-node code path.
func addTPUNodes(t *testing.T) {
	t.Helper()
	for i := 1; i <= 2; i++ {
		_, err := localenv.AddNode(context.Background(), suite.env.Client, localenv.AddNodeOptions{
			Name: fmt.Sprintf("tpu-v4-host-%d", i),
			Group: localenv.NodeGroup{CPU: "16", Memory: "128Gi", Labels: tpuLabels,
				Resources: map[string]localenv.Quantity{"google.com/tpu": "4"}},
			Timeout: time.Minute,
		})
		if err != nil {
			t.Fatalf("adding a TPU node: %v", err)
		}
	}
}

// runningPods counts the cluster's pods that are Running.
func runningPods(t *testing.T, c *rayv1.RayCluster) int {
	t.Helper()
	pods := &corev1.PodList{}
	err := suite.env.Client.List(context.Background(), pods, client.InNamespace(c.Namespace),
		client.MatchingLabels{"ray.io/cluster": c.Name})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			n++
		}
	}
	return n
}

// waitForReady waits until the cluster is ready and returns it as ray.io/v1.
func waitForReady(t *testing.T, ns, name string) *rayv1.RayCluster {
	t.Helper()
	c := &rayv1.RayCluster{}
	eventually(t, fmt.Sprintf("RayCluster %s/%s to be ready", ns, name), readyTimeout, func() error {
		if err := suite.env.Client.Get(context.Background(),
			client.ObjectKey{Namespace: ns, Name: name}, c); err != nil {
			return err
		}
		if c.Status.State != rayv1.Ready {
			return fmt.Errorf("state %q, reason %q", c.Status.State, c.Status.Reason)
		}
		return nil
	})
	return c
}

// rayClusterName returns the name of the sample's RayCluster.
func rayClusterName(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s has no RayCluster", file)
		}
		if err != nil {
			t.Fatalf("decoding %s: %v", file, err)
		}
		if obj.GetKind() == "RayCluster" {
			return obj.GetName()
		}
	}
}

// printSummary prints one line per sample with the time from apply to ready.
func printSummary(took map[string]time.Duration, total int, all time.Duration) {
	names := make([]string, 0, len(took))
	for n := range took {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("e2e: samples applied at once, time from apply to ready:\n")
	for _, n := range names {
		fmt.Printf("e2e:   %-48s %5.1fs\n", n, took[n].Seconds())
	}
	fmt.Printf("e2e: %d of %d samples ready; all in %.1fs\n", len(took), total, all.Seconds())
}
