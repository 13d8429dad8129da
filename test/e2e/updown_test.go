//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EUpDetachDown runs the raykube program: `local up --detach` returns with everything
// healthy, a second `up` says it runs already, `down` leaves no process and no listening port
// behind, and the state of a killed run is recovered by the next `up`.
func TestE2EUpDetachDown(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	t.Cleanup(func() { _, _ = raykube(t, stateDir, "down") })

	start := time.Now()
	out, err := raykube(t, stateDir, "up", "--detach", "--node-count=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cold start of `raykube local up --detach`: %.1fs", time.Since(start).Seconds())
	fmt.Printf("e2e: cold start of `raykube local up --detach` (1 node): %.1fs\n",
		time.Since(start).Seconds())
	for _, want := range []string{"export KUBECONFIG=", "/metrics",
		"raykube API server       http://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("up's output lacks %q:\n%s", want, out)
		}
	}
	records, ports := readRun(t, stateDir)
	// etcd, kube-apiserver, controller manager, scheduler, kwok, operator, raykube API server; and
	// their ports (etcd and the operator have two, the API server HTTP and gRPC).
	if len(records) != 7 || len(ports) != 10 {
		t.Fatalf("%d processes and %d ports recorded, want 7 and 10", len(records), len(ports))
	}

	out, err = raykube(t, stateDir, "up", "--detach")
	if err != nil || !strings.Contains(out, "already running") {
		t.Errorf("second up: %v\n%s", err, out)
	}
	if out, err := raykube(t, stateDir, "status"); err != nil {
		t.Errorf("status of a running environment: %v\n%s", err, out)
	}

	if out, err := raykube(t, stateDir, "down"); err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	checkGone(t, records, ports)
}

// TestE2EUpRecoversAKilledRun kills the etcd of a detached environment: `status` reports the
// environment unhealthy, and the next `up` stops what is left and starts afresh.
func TestE2EUpRecoversAKilledRun(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	t.Cleanup(func() { _, _ = raykube(t, stateDir, "down") })
	small := []string{"up", "--detach", "--node-count=1", "--operator=false"}
	if out, err := raykube(t, stateDir, small...); err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	records, _ := readRun(t, stateDir)
	if err := syscall.Kill(records["etcd"].PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "status to report the killed etcd", time.Minute, func() error {
		out, err := raykube(t, stateDir, "status")
		if err == nil || !strings.Contains(out, "gone") {
			return fmt.Errorf("status: %w\n%s", err, out)
		}
		return nil
	})

	out, err := raykube(t, stateDir, small...)
	if err != nil || !strings.Contains(out, "leftover processes") {
		t.Fatalf("up after a killed run: %v\n%s", err, out)
	}
	newRecords, ports := readRun(t, stateDir)
	if out, err := raykube(t, stateDir, "down"); err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	checkGone(t, records, nil)
	checkGone(t, newRecords, ports)
}

// raykube runs the built raykube program's `local` command from the source tree.
func raykube(t *testing.T, stateDir string, args ...string) (string, error) {
	t.Helper()
	args = append([]string{"local", "--state-dir", stateDir}, args...)
	cmd := exec.Command(suite.raykube, args...)
	cmd.Dir = suite.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("raykube %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// process is a recorded process: its pid and its start time in clock ticks since boot, which
// tell it from a later process with the same pid.
type process struct {
	PID        int    `json:"pid"`
	StartTicks uint64 `json:"startTicks"`
}

// readRun returns the recorded processes by component and the ports in use.
func readRun(t *testing.T, stateDir string) (map[string]process, []int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(stateDir, "run", "*.pid"))
	records := map[string]process{}
	for _, f := range files {
		var r struct {
			Name string `json:"name"`
			process
		}
		data, err := os.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(data, &r)
		}
		if err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		records[r.Name] = r.process
	}
	var state struct {
		Ports map[string]int `json:"ports"`
	}
	data, err := os.ReadFile(filepath.Join(stateDir, "state.json"))
	if err == nil {
		err = json.Unmarshal(data, &state)
	}
	if err != nil {
		t.Fatalf("reading the state: %v", err)
	}
	var ports []int
	for _, p := range state.Ports {
		ports = append(ports, p)
	}
	return records, ports
}

// checkGone checks in /proc that no recorded process runs (a zombie waiting for its parent
// counts as gone) and that nothing listens on the ports.
func checkGone(t *testing.T, records map[string]process, ports []int) {
	t.Helper()
	for name, p := range records {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
		if err != nil {
			continue // no such process
		}
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(fields) < 20 || fields[19] != strconv.FormatUint(p.StartTicks, 10) {
			continue // another process got the pid
		}
		if fields[0] != "Z" && fields[0] != "X" {
			t.Errorf("%s (pid %d) still runs: %s", name, p.PID, data)
		}
	}
	for _, port := range ports {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			_ = conn.Close()
			t.Errorf("port %d still open", port)
		}
	}
}
