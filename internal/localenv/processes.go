package localenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procRecord identifies a started process in its pid file. The start time (in clock ticks since
// boot, from /proc) tells the process from a later one that got the same pid.
type procRecord struct {
	// Name is the component's name, e.g. kube-apiserver.
	Name string `json:"name"`
	// PID is the process id.
	PID int `json:"pid"`
	// StartTicks is field 22 of /proc/<pid>/stat.
	StartTicks uint64 `json:"startTicks"`
	// Seq orders the records by start.
	Seq int `json:"seq"`
	// Binary is the program's path.
	Binary string `json:"binary"`
}

// procStat reads a process's state letter and start time from /proc/<pid>/stat.
func procStat(pid int) (state byte, startTicks uint64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseProcStat(string(data))
}

// parseProcStat parses the line of /proc/<pid>/stat. The command name, in parentheses, may hold
// spaces and parentheses itself, so the fields are counted from the last ')'.
func parseProcStat(line string) (state byte, startTicks uint64, err error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 || end+2 >= len(line) {
		return 0, 0, fmt.Errorf("malformed stat line %q", line)
	}
	fields := strings.Fields(line[end+2:])
	// fields[0] is field 3 (state); field 22 (starttime) is fields[19].
	if len(fields) < 20 {
		return 0, 0, fmt.Errorf("stat line has %d fields after the name, want at least 20",
			len(fields))
	}
	startTicks, err = strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("parsing the start time: %w", err)
	}
	return fields[0][0], startTicks, nil
}

// alive says whether the recorded process still runs: same pid, same start time, not a zombie
// waiting to be reaped.
func (r procRecord) alive() bool {
	state, ticks, err := procStat(r.PID)
	return err == nil && ticks == r.StartTicks && state != 'Z' && state != 'X'
}

// signal sends sig to the recorded process if it is still the same process.
func (r procRecord) signal(sig syscall.Signal) error {
	if !r.alive() {
		return nil
	}
	if err := syscall.Kill(r.PID, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signalling %s (pid %d): %w", r.Name, r.PID, err)
	}
	return nil
}

// terminate stops the recorded process: SIGTERM, then SIGKILL once grace has passed. It returns
// when the process is gone.
func (r procRecord) terminate(ctx context.Context, grace time.Duration) error {
	if err := r.signal(syscall.SIGTERM); err != nil {
		return err
	}
	if waitGone(ctx, r, grace) {
		return nil
	}
	if err := r.signal(syscall.SIGKILL); err != nil {
		return err
	}
	if !waitGone(context.Background(), r, 10*time.Second) {
		return fmt.Errorf("%s (pid %d) still runs after SIGKILL", r.Name, r.PID)
	}
	return nil
}

// waitGone polls until the process has exited; false when timeout passes or ctx ends first.
func waitGone(ctx context.Context, r procRecord, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for r.alive() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// processSpec is a program to start.
type processSpec struct {
	name   string
	binary string
	args   []string
	// env is added to the environment raykube runs in.
	env []string
}

// child is a process this process started.
type child struct {
	record  procRecord
	cmd     *exec.Cmd
	started time.Time
	// done is closed when the process has exited; err is then its exit error.
	done chan struct{}
	err  error
}

// startProcess starts spec with its output going to logPath. A detached process gets its own
// session, so it outlives this process and no terminal signal reaches it. An attached one gets
// its own process group, so that Ctrl-C reaches only raykube, which stops the components in
// order; and it is sent SIGTERM should raykube die without stopping it.
func startProcess(spec processSpec, logPath string, detach bool, seq int) (*child, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the log of %s: %w", spec.name, err)
	}
	defer func() { _ = logFile.Close() }() // the child has its own copy

	cmd := exec.Command(spec.binary, spec.args...)
	cmd.Env = append(os.Environ(), spec.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", spec.name, err)
	}
	c := &child{cmd: cmd, done: make(chan struct{}), started: time.Now()}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	c.record = procRecord{Name: spec.name, PID: cmd.Process.Pid, Seq: seq, Binary: spec.binary}
	// A process that has exited already keeps a zero start time, so that it never counts as
	// alive; the wait for its health check reports the exit.
	if _, ticks, err := procStat(cmd.Process.Pid); err == nil {
		c.record.StartTicks = ticks
	}
	return c, nil
}

// exited says whether the process has ended, and how.
func (c *child) exited() (bool, error) {
	select {
	case <-c.done:
		return true, c.err
	default:
		return false, nil
	}
}

// stop ends the process: SIGTERM, then SIGKILL after grace or as soon as ctx ends. It waits
// for the exit.
func (c *child) stop(ctx context.Context, grace time.Duration) error {
	if done, _ := c.exited(); done {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	case <-time.After(grace):
	}
	_ = c.cmd.Process.Kill()
	select {
	case <-c.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) still runs after SIGKILL", c.record.Name, c.record.PID)
	}
}
