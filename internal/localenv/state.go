package localenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// DefaultStateDir is where the local environment keeps its state, relative to the working
// directory.
const DefaultStateDir = ".raykube"

// markerFile marks a directory as a state directory, so that raykube never cleans a directory
// it did not create.
const markerFile = ".raykube-local"

// layout names the files of a state directory.
type layout struct {
	dir string
}

func (l layout) path(parts ...string) string {
	return filepath.Join(append([]string{l.dir}, parts...)...)
}

func (l layout) pki(name string) string     { return l.path("pki", name) }
func (l layout) logFile(name string) string { return l.path("logs", name+".log") }
func (l layout) pidFile(name string) string { return l.path("run", name+".pid") }
func (l layout) etcdData() string           { return l.path("etcd") }
func (l layout) stateFile() string          { return l.path("state.json") }

// kubeconfig is the administrator's kubeconfig for name "admin", else the one of a component.
func (l layout) kubeconfig(name string) string {
	if name == "admin" {
		return l.path("kubeconfig")
	}
	return l.path("kubeconfigs", name+".kubeconfig")
}

func (l layout) configFile(name string) string { return l.path("config", name) }

// generated are the entries of a state directory that `up` recreates; nothing else in the
// directory is removed.
var generated = []string{"pki", "etcd", "logs", "run", "kubeconfigs", "config", "kubeconfig",
	"state.json"}

// State is what a running environment records in state.json for `status`, `down` and
// `kubeconfig`.
type State struct {
	// StartedAt is when `up` began.
	StartedAt time.Time `json:"startedAt"`
	// Ready is set once every component answered its health check.
	Ready bool `json:"ready"`
	// Detached is false when a `raykube local up` process in the foreground supervises the
	// components.
	Detached bool `json:"detached"`
	// Ports are the loopback ports in use.
	Ports Ports `json:"ports"`
	// Components are the names of the processes started, in start order.
	Components []string `json:"components"`
	// Nodes are the names of the simulated nodes registered at start.
	Nodes []string `json:"nodes"`
}

// APIServerURL is the address of the Kubernetes API server.
func (s State) APIServerURL() string {
	return fmt.Sprintf("https://127.0.0.1:%d", s.Ports.APIServer)
}

// MetricsURL is the operator's metrics endpoint; empty without an operator.
func (s State) MetricsURL() string {
	if s.Ports.OperatorMetrics == 0 {
		return ""
	}
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", s.Ports.OperatorMetrics)
}

func (l layout) writeState(s State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the state: %w", err)
	}
	return writeFileAtomic(l.stateFile(), data, 0o644)
}

// readState returns the recorded state; fs.ErrNotExist when there is none.
func (l layout) readState() (State, error) {
	var s State
	data, err := os.ReadFile(l.stateFile())
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("reading %s: %w", l.stateFile(), err)
	}
	return s, nil
}

// writeRecord writes the pid file of a started process.
func (l layout) writeRecord(r procRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding the pid file of %s: %w", r.Name, err)
	}
	return writeFileAtomic(l.pidFile(r.Name), data, 0o644)
}

// readRecords returns the pid files of the state directory, sorted by start order.
func (l layout) readRecords() ([]procRecord, error) {
	files, err := filepath.Glob(l.path("run", "*.pid"))
	if err != nil {
		return nil, fmt.Errorf("listing pid files: %w", err)
	}
	var records []procRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading a pid file: %w", err)
		}
		var r procRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		records = append(records, r)
	}
	sort.Slice(records, func(i, j int) bool { return records[i].Seq < records[j].Seq })
	return records, nil
}

// ensure creates the state directory, or checks that an existing one is a state directory.
func (l layout) ensure() error {
	entries, err := os.ReadDir(l.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(l.dir, 0o755); err != nil {
			return fmt.Errorf("creating the state directory: %w", err)
		}
	case err != nil:
		return fmt.Errorf("reading the state directory: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(l.path(markerFile)); err != nil {
			return fmt.Errorf("--state-dir %s is not empty and was not created by raykube; "+
				"choose an empty or new directory", l.dir)
		}
	}
	return os.WriteFile(l.path(markerFile), []byte("raykube local state directory\n"), 0o644)
}

// clean removes what a previous `up` generated.
func (l layout) clean() error {
	var errs []error
	for _, name := range generated {
		errs = append(errs, os.RemoveAll(l.path(name)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleaning the state directory: %w", err)
	}
	for _, dir := range []string{"pki", "logs", "run", "kubeconfigs", "config"} {
		if err := os.MkdirAll(l.path(dir), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", l.path(dir), err)
		}
	}
	return nil
}

// forget removes the pid files and the state after a stop; logs and certificates stay for
// inspection until the next `up`.
func (l layout) forget() error {
	return errors.Join(os.RemoveAll(l.path("run")), os.RemoveAll(l.stateFile()))
}

// lock takes the state directory's lock, so that two commands never start or stop the same
// environment at once. It fails at once when another command holds it.
func (l layout) lock() (unlock func(), err error) {
	f, err := os.OpenFile(l.path("lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another `raykube local` command is starting or stopping the "+
				"environment in %s; wait for it to finish", l.dir)
		}
		return nil, fmt.Errorf("locking %s: %w", l.path("lock"), err)
	}
	return func() { _ = f.Close() }, nil
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// shortPath shows path relative to the working directory when it is below it.
func shortPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return rel
}
