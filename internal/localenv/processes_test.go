package localenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseProcStat(t *testing.T) {
	tests := map[string]struct {
		line      string
		wantState byte
		wantTicks uint64
		wantErr   bool
	}{
		"plain": {
			line: "4242 (etcd) S 1 4242 4242 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 12 0 987654 " +
				"1000 100 18446744073709551615",
			wantState: 'S', wantTicks: 987654,
		},
		"name with spaces and parentheses": {
			line:      "7 (kube) (x) y) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0",
			wantState: 'Z', wantTicks: 42,
		},
		"truncated":  {line: "7 (x) S 1 2 3", wantErr: true},
		"no name":    {line: "garbage", wantErr: true},
		"bad number": {line: "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 soon 0", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			state, ticks, err := parseProcStat(tc.line)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if state != tc.wantState || ticks != tc.wantTicks {
				t.Errorf("got (%c, %d), want (%c, %d)", state, ticks, tc.wantState, tc.wantTicks)
			}
		})
	}
}

func TestRecordAlive(t *testing.T) {
	_, ticks, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	self := procRecord{Name: "test", PID: os.Getpid(), StartTicks: ticks}
	if !self.alive() {
		t.Error("this process is not alive")
	}
	reused := self
	reused.StartTicks++
	if reused.alive() {
		t.Error("a record with another start time (a reused pid) is alive")
	}
}

func TestStartAndStopProcess(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	log := filepath.Join(t.TempDir(), "sleep.log")
	c, err := startProcess(processSpec{name: "sleep", binary: sleep, args: []string{"60"}}, log,
		false, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !c.record.alive() {
		t.Fatal("started process is not alive")
	}
	if err := c.stop(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if c.record.alive() {
		t.Error("process alive after stop")
	}
}

func TestWaitHealthyReportsAnEarlyExit(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	log := filepath.Join(t.TempDir(), "fail.log")
	c, err := startProcess(processSpec{name: "fail", binary: sh,
		args: []string{"-c", "echo address already in use; exit 3"}}, log, false, 1)
	if err != nil && c == nil {
		t.Fatal(err)
	}
	err = waitHealthy(context.Background(), c, probe{url: "http://127.0.0.1:1/healthz"}, log,
		10*time.Second)
	if err == nil || !containsAll(err.Error(), "fail exited during start-up", "exit status 3",
		"address already in use") {
		t.Errorf("waitHealthy = %v, want the exit and the end of the log", err)
	}
}

func TestStopOrder(t *testing.T) {
	names := []string{supervisorName, etcdName, apiServerName, controllerManagerName,
		schedulerName, kwokName, operatorName}
	got := stopOrder(names, func(s string) string { return s })
	want := [][]string{
		{supervisorName},
		{controllerManagerName, schedulerName, kwokName, operatorName},
		{apiServerName},
		{etcdName},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stop order (-want +got):\n%s", diff)
	}
	if got := stopOrder([]string{etcdName}, func(s string) string { return s }); len(got) != 1 {
		t.Errorf("stopOrder(etcd) = %v, want one step", got)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
