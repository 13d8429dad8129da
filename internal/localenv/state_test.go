package localenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLayoutEnsureRefusesAForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := layout{dir: dir}.ensure()
	if err == nil || !strings.Contains(err.Error(), "--state-dir") {
		t.Errorf("ensure on a foreign directory = %v, want an error naming --state-dir", err)
	}
}

func TestLayoutCleanKeepsOtherFiles(t *testing.T) {
	l := layout{dir: filepath.Join(t.TempDir(), "state")}
	if err := l.ensure(); err != nil {
		t.Fatal(err)
	}
	if err := l.clean(); err != nil {
		t.Fatal(err)
	}
	mine := l.path("nodes.yaml")
	for _, f := range []string{mine, l.pki("ca.crt"), l.logFile("etcd")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.ensure(); err != nil {
		t.Fatalf("ensure on a state directory: %v", err)
	}
	if err := l.clean(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("clean removed a file it did not create: %v", err)
	}
	if _, err := os.Stat(l.pki("ca.crt")); err == nil {
		t.Error("clean kept the old certificates")
	}
}

func TestStateAndRecordsRoundTrip(t *testing.T) {
	l := layout{dir: t.TempDir()}
	if err := l.clean(); err != nil {
		t.Fatal(err)
	}
	want := State{StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Ready: true,
		Ports: Ports{APIServer: 6443, OperatorMetrics: 8080}, Components: []string{"etcd"},
		Nodes: []string{"raykube-node-1"}}
	if err := l.writeState(want); err != nil {
		t.Fatal(err)
	}
	got, err := l.readState()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if got.APIServerURL() != "https://127.0.0.1:6443" ||
		got.MetricsURL() != "http://127.0.0.1:8080/metrics" {
		t.Errorf("URLs %s, %s", got.APIServerURL(), got.MetricsURL())
	}
	records := []procRecord{{Name: "kwok", PID: 3, Seq: 2}, {Name: "etcd", PID: 2, Seq: 1}}
	for _, r := range records {
		if err := l.writeRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	gotRecords, err := l.readRecords()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]procRecord{records[1], records[0]}, gotRecords); diff != "" {
		t.Errorf("records in start order (-want +got):\n%s", diff)
	}
}

func TestLockExcludesASecondCommand(t *testing.T) {
	l := layout{dir: t.TempDir()}
	unlock, err := l.lock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.lock(); err == nil || !strings.Contains(err.Error(), "another") {
		t.Errorf("second lock = %v, want an error saying another command holds it", err)
	}
	unlock()
	unlock2, err := l.lock()
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

func TestChoosePorts(t *testing.T) {
	p, err := choosePorts(false, true)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, port := range p.all() {
		if port == 0 || seen[port] {
			t.Errorf("port %d is zero or used twice in %+v", port, p)
		}
		seen[port] = true
	}
	if len(seen) != 10 {
		t.Errorf("%d ports, want 10", len(seen))
	}
	noOperator, err := choosePorts(false, false)
	if err != nil {
		t.Fatal(err)
	}
	if noOperator.OperatorMetrics != 0 || noOperator.OperatorHealth != 0 ||
		noOperator.RaykubeHTTP != 0 || noOperator.RaykubeGRPC != 0 {
		t.Errorf("operator ports without an operator: %+v", noOperator)
	}
}
