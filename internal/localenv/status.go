package localenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Status is what `raykube local status` shows.
type Status struct {
	// Dir is the state directory.
	Dir string
	// State is the recorded state; zero when nothing runs.
	State State
	// Components are the recorded processes, in start order.
	Components []ComponentStatus
	// Nodes are the API server's nodes; nil when it does not answer.
	Nodes []corev1.Node
	// NodesErr says why the nodes could not be listed.
	NodesErr error
}

// ComponentStatus is one process of the environment.
type ComponentStatus struct {
	// Name is the component's name.
	Name string
	// PID is its process id.
	PID int
	// Alive says whether the process runs.
	Alive bool
	// URL is where it serves; empty for the foreground supervisor.
	URL string
	// Health is nil when its health check passes.
	Health error
}

// Running says whether every recorded process runs and answers its health check.
func (s *Status) Running() bool {
	if len(s.Components) == 0 {
		return false
	}
	for _, c := range s.Components {
		if !c.Alive || c.Health != nil {
			return false
		}
	}
	return true
}

// Stale says whether processes are recorded but none of them runs: a run that was killed.
func (s *Status) Stale() bool {
	for _, c := range s.Components {
		if c.Alive {
			return false
		}
	}
	return len(s.Components) > 0
}

// ReadStatus checks each process of a state directory's environment and lists its nodes.
func ReadStatus(ctx context.Context, stateDir string) (*Status, error) {
	l, err := existingLayout(stateDir)
	if err != nil {
		return nil, err
	}
	s := &Status{Dir: l.dir}
	state, err := l.readState()
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	s.State = state
	records, err := l.readRecords()
	if err != nil {
		return nil, err
	}
	var operatorCmd []string
	if state.Ports.OperatorHealth != 0 {
		operatorCmd = []string{"operator"}
	}
	all, err := components(l, Binaries{}, state.Ports, operatorCmd)
	if err != nil {
		return nil, err
	}
	apiHealthy := false
	for _, r := range records {
		cs := ComponentStatus{Name: r.Name, PID: r.PID, Alive: r.alive()}
		if comp, ok := componentNamed(all, r.Name); ok {
			cs.URL = comp.url
			cs.Health = comp.probe.check(ctx)
		}
		apiHealthy = apiHealthy || (r.Name == apiServerName && cs.Alive && cs.Health == nil)
		s.Components = append(s.Components, cs)
	}
	s.NodesErr = errors.New("the API server is not healthy")
	if apiHealthy {
		s.Nodes, s.NodesErr = listNodes(ctx, l)
	}
	return s, nil
}

func listNodes(ctx context.Context, l layout) ([]corev1.Node, error) {
	c, err := adminClient(l)
	if err != nil {
		return nil, err
	}
	// An API server that lost its etcd accepts requests and never answers them.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	nodes := &corev1.NodeList{}
	if err := c.List(ctx, nodes); err != nil {
		return nil, fmt.Errorf("listing nodes: %w", err)
	}
	return nodes.Items, nil
}

func adminClient(l layout) (client.Client, error) {
	cfg, err := restConfig(l.kubeconfig("admin"))
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: Scheme()})
	if err != nil {
		return nil, fmt.Errorf("creating a client: %w", err)
	}
	return c, nil
}

// Connect returns an administrator's client of a running environment's API server.
func Connect(ctx context.Context, stateDir string) (client.Client, error) {
	s, err := ReadStatus(ctx, stateDir)
	if err != nil {
		return nil, err
	}
	if len(s.Components) == 0 {
		return nil, fmt.Errorf("the local environment in %s is not running "+
			"(`raykube local up` starts it)", s.Dir)
	}
	for _, c := range s.Components {
		if c.Name == apiServerName && c.Health == nil {
			return adminClient(layout{dir: s.Dir})
		}
	}
	return nil, fmt.Errorf("the API server of the local environment in %s does not answer "+
		"(`raykube local status` shows what runs)", s.Dir)
}

// Print shows the status as a table of components and one of nodes.
func (s *Status) Print(w io.Writer) {
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }
	if len(s.Components) == 0 {
		p("raykube local: not running (state directory %s)\n", shortPath(s.Dir))
		return
	}
	if s.Stale() {
		p("raykube local: not running; %s holds the state of a run that did not stop cleanly "+
			"(its processes are gone): `raykube local up` cleans it up and starts again\n",
			shortPath(s.Dir))
		return
	}
	mode := "detached"
	if !s.State.Detached {
		mode = "under a foreground `raykube local up`"
	}
	verdict := "running"
	if !s.Running() {
		verdict = "NOT healthy"
	}
	p("raykube local: %s, %s, since %s (state directory %s)\n\n", verdict, mode,
		s.State.StartedAt.Format("2006-01-02 15:04:05"), shortPath(s.Dir))
	p("  %-26s %-8s %-9s %s\n", "COMPONENT", "PID", "HEALTH", "URL")
	for _, c := range s.Components {
		health := "ok"
		switch {
		case !c.Alive:
			health = "gone"
		case c.Health != nil:
			health = "failing"
		case c.URL == "":
			health = "-"
		}
		p("  %-26s %-8d %-9s %s\n", c.Name, c.PID, health, c.URL)
	}
	s.printNodes(p)
}

func (s *Status) printNodes(p func(string, ...any)) {
	if s.NodesErr != nil {
		p("\n  nodes: %v\n", s.NodesErr)
		return
	}
	p("\n  %-26s %-8s %-9s %-9s %s\n", "NODE", "READY", "CPU", "MEMORY", "OTHER")
	for i := range s.Nodes {
		n := &s.Nodes[i]
		ready := "no"
		if nodeUsable(n) {
			ready = "yes"
		}
		var other []string
		for name, q := range n.Status.Allocatable {
			switch name {
			case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods,
				corev1.ResourceEphemeralStorage:
				continue
			}
			other = append(other, fmt.Sprintf("%s=%s", name, q.String()))
		}
		sort.Strings(other)
		p("  %-26s %-8s %-9s %-9s %s\n", n.Name, ready, n.Status.Allocatable.Cpu(),
			n.Status.Allocatable.Memory(), strings.Join(other, " "))
	}
}

// KubeconfigPath returns the absolute path of the administrator's kubeconfig of a state
// directory's environment.
func KubeconfigPath(stateDir string) (string, error) {
	l, err := existingLayout(stateDir)
	if err != nil {
		return "", err
	}
	path, err := filepath.Abs(l.kubeconfig("admin"))
	if err != nil {
		return "", fmt.Errorf("--state-dir: %w", err)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("no kubeconfig in %s: is the environment up? (%w)", stateDir, err)
	}
	return path, nil
}
