//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
	"github.com/raykube/raykube/internal/raypod"
)

// requestCounter counts the HTTP requests a client sends, by method.
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
	next   http.RoundTripper
}

func (c *requestCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method
	if req.URL.Query().Get("watch") == "true" {
		key = "WATCH"
	}
	resource := resourceOf(strings.Split(req.URL.Path, "/"))
	c.mu.Lock()
	c.counts[key]++
	c.counts[key+" "+resource]++
	c.mu.Unlock()
	return c.next.RoundTrip(req)
}

// resourceOf names the resource of a request path (.../namespaces/ns/<resource>[/name[/sub]]).
func resourceOf(parts []string) string {
	for i, p := range parts {
		if p == "namespaces" && i+2 < len(parts) {
			rest := parts[i+2:]
			if len(rest) >= 3 {
				return rest[0] + "/" + rest[2]
			}
			return rest[0]
		}
	}
	return "other"
}

func (c *requestCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// BenchmarkClusterRequests brings 10 clusters of 1 head and 10 workers to ready and reports the
// operator's API requests per cluster (the informers' initial lists and watches excluded), its
// writes per cluster and the time to ready. The test plays the kubelet, as fast as it can.
func BenchmarkClusterRequests(b *testing.B) {
	const clusters, workers = 10, 10
	stopOperator()
	defer func() {
		if err := startSharedOperator(); err != nil {
			b.Fatal(err)
		}
	}()
	for range b.N {
		counter := &requestCounter{counts: map[string]int{}}
		cfg := rest.CopyConfig(env.Config)
		cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			counter.next = rt
			return counter
		}
		stop, err := startOperatorWith(cfg, testOperatorOptions())
		if err != nil {
			b.Fatal(err)
		}
		ns := env.NewNamespace(b, "bench-")
		base := counter.snapshot()

		start := time.Now()
		for i := range clusters {
			c := newCluster(ns, fmt.Sprintf("bench-%d", i)).withGroup("small", workers).obj()
			if err := env.Client.Create(context.Background(), c); err != nil {
				b.Fatal(err)
			}
		}
		playKubeletUntilReady(b, ns, clusters)
		elapsed := time.Since(start)
		// Let the reconciles the last status changes cause finish, then count what the operator
		// does while nothing changes.
		time.Sleep(2 * time.Second)
		settled := counter.snapshot()
		time.Sleep(idleWindow)
		idle := counter.snapshot()
		stop()

		after := settled
		total, writes := 0, 0
		var detail []string
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			n := after[m] - base[m]
			total += n
			if m != "GET" {
				writes += n
			}
			detail = append(detail, fmt.Sprintf("%s=%d", m, n))
		}
		b.ReportMetric(float64(total)/clusters, "requests/cluster")
		b.ReportMetric(float64(writes)/clusters, "writes/cluster")
		b.ReportMetric(elapsed.Seconds(), "s-to-ready")
		b.ReportMetric(float64(requestsBetween(settled, idle)), "requests-while-idle")
		b.Logf("%d clusters x (1 head + %d workers): %s", clusters, workers, strings.Join(detail, " "))
		for k, v := range after {
			if strings.Contains(k, " ") && v-base[k] > 0 && !strings.HasPrefix(k, "WATCH") {
				b.Logf("  %s: %d", k, v-base[k])
			}
		}
	}
}

// idleWindow is how long the benchmark watches the operator do nothing after every cluster is
// ready.
const idleWindow = 5 * time.Second

// requestsBetween counts the requests (watches excluded) between two snapshots.
func requestsBetween(before, after map[string]int) int {
	n := 0
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		n += after[m] - before[m]
	}
	return n
}

// playKubeletUntilReady marks every pod of the namespace Running and Ready as soon as it appears,
// until n clusters are ready.
func playKubeletUntilReady(b *testing.B, ns string, n int) {
	b.Helper()
	ctx := context.Background()
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 2*time.Minute, true,
		func(context.Context) (bool, error) {
			var pods corev1.PodList
			if err := env.Client.List(ctx, &pods, client.InNamespace(ns)); err != nil {
				return false, err
			}
			for i := range pods.Items {
				p := &pods.Items[i]
				if p.Status.Phase == corev1.PodRunning {
					continue
				}
				p.Status.Phase = corev1.PodRunning
				p.Status.PodIP = fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
				p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady,
					Status: corev1.ConditionTrue}}
				if err := env.Client.Status().Update(ctx, p); err != nil {
					return false, nil // a conflict: try again next round
				}
			}
			var list rayv1.RayClusterList
			if err := env.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
				return false, err
			}
			ready := 0
			for _, c := range list.Items {
				if c.Status.State == rayv1.Ready {
					ready++
				}
			}
			return ready == n, nil
		})
	if err != nil {
		b.Fatalf("clusters not ready: %v", err)
	}
}

// BenchmarkCacheMemoryPerPod creates Ray pods as the operator builds them, with a full status,
// and reports how much the operator's heap grows per pod its cache holds.
func BenchmarkCacheMemoryPerPod(b *testing.B) {
	const pods = 1000
	ns := env.NewNamespace(b, "bench-")
	c := newCluster(ns, "mem").withGroup("small", 1).obj()
	c.UID = "0f0e0d0c-0000-0000-0000-000000000001"
	template, err := raypod.BuildWorkerPod(c, "small", raypod.Options{})
	if err != nil {
		b.Fatal(err)
	}
	template.OwnerReferences = nil // the owner does not exist here; it would be collected
	for i := range pods {
		p := template.DeepCopy()
		p.GenerateName, p.Name = "", fmt.Sprintf("mem-small-worker-%04d", i)
		if err := env.Client.Create(context.Background(), p); err != nil {
			b.Fatal(err)
		}
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = fmt.Sprintf("10.2.%d.%d", i/250, i%250+1)
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name,
			Ready: true, Image: p.Spec.Containers[0].Image, ImageID: "docker://sha256:0123",
			ContainerID: "containerd://0123456789abcdef",
			State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
		if err := env.Client.Status().Update(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	for range b.N {
		withPods := cacheHeap(b, "")
		without := cacheHeap(b, "no-such-namespace")
		b.ReportMetric((withPods-without)/pods/1024, "KiB/pod")
	}
}

// cacheHeap starts a manager's cache limited to namespace ns ("" for all), waits for it to
// sync, and returns the live heap in bytes with the cache in it.
func cacheHeap(b *testing.B, ns string) float64 {
	b.Helper()
	opts := testOperatorOptions()
	if ns != "" {
		opts.WatchNamespaces = []string{ns}
	}
	mgr, err := operator.NewManager(env.Config, opts, logging.New("console", 0))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	informer, err := mgr.GetCache().GetInformer(ctx, &corev1.Pod{})
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = mgr.GetCache().Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) || !informer.HasSynced() {
		b.Fatal("cache did not sync")
	}
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}
