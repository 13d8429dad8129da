package localenv

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// reporter prints the progress of `up` and `down`: one line per finished step, with what it
// gave and how long it took. Steps that run at once may report concurrently.
type reporter struct {
	mu  sync.Mutex
	out io.Writer
}

func (r *reporter) printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = fmt.Fprintf(r.out, format, args...)
}

// done reports a finished step.
func (r *reporter) done(step, detail string, took time.Duration) {
	r.printf("  %-32s %-42s %5.1fs\n", step, detail, took.Seconds())
}

// timed runs fn and reports it as step, with the detail fn returns.
func (r *reporter) timed(step string, fn func() (string, error)) error {
	start := time.Now()
	detail, err := fn()
	if err != nil {
		return err
	}
	r.done(step, detail, time.Since(start))
	return nil
}

// describeNodes summarises the node groups, e.g. "4 × 16 CPU, 64Gi, 1 GPU".
func describeNodes(cfg Config) string {
	parts := make([]string, 0, len(cfg.Nodes))
	for _, g := range cfg.Nodes {
		s := fmt.Sprintf("%d × %s CPU, %s", g.Count, g.CPU, g.Memory)
		if g.GPU > 0 {
			s += fmt.Sprintf(", %d GPU", g.GPU)
		}
		for _, k := range sortedKeys(g.Resources) {
			s += fmt.Sprintf(", %s %s", g.Resources[k], k)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// PrintSummary tells where everything is and what to type next; command is how the user runs
// raykube's local commands, e.g. "bin/raykube local".
func PrintSummary(w io.Writer, s State, dir string, b Binaries, command string) {
	kubeconfig := layout{dir}.kubeconfig("admin")
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }
	p("\n")
	p("  API server (Kubernetes)  %s\n", s.APIServerURL())
	p("  kubeconfig               %s\n", kubeconfig)
	if url := s.MetricsURL(); url != "" {
		p("  operator metrics         %s\n", url)
		p("  operator health          http://127.0.0.1:%d/readyz\n", s.Ports.OperatorHealth)
	} else {
		p("  operator                 not started (--operator=false)\n")
	}
	if s.Ports.RaykubeHTTP != 0 {
		p("  raykube API server       http://127.0.0.1:%d (gRPC 127.0.0.1:%d)\n",
			s.Ports.RaykubeHTTP, s.Ports.RaykubeGRPC)
	}
	p("  nodes                    %s\n", strings.Join(s.Nodes, ", "))
	p("  logs                     %s\n", layout{dir}.path("logs"))
	p("  kubectl                  %s\n", b.Kubectl())
	p("\nNext:\n")
	p("  export KUBECONFIG=%s\n", kubeconfig)
	p("  kubectl apply --server-side -f config/samples/ray-cluster.sample.yaml\n")
	p("  kubectl get rayclusters -w\n")
	if s.Ports.RaykubeHTTP != 0 {
		p("  curl http://127.0.0.1:%d/apis/v1alpha2/namespaces/default/clusters\n",
			s.Ports.RaykubeHTTP)
	}
	p("  %s add-node --cpu 64 --memory 256Gi --gpu 0   # a bigger node\n", command)
	p("  %s status\n", command)
	if s.Detached {
		p("  %s down   # stops everything\n", command)
	} else {
		p("  Ctrl-C (or %s down) stops everything\n", command)
	}
}
