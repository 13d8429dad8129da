package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStartUpErrors runs the built program with a bad flag and with a kubeconfig that does
// not exist: each ends at once with one line on standard error naming the flag or the file,
// no log and no stack trace, and a non-zero exit code.
func TestStartUpErrors(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "raykube-operator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := map[string]struct {
		args     []string
		wantErr  string
		wantCode int
	}{
		"bad address": {
			args: []string{"--metrics-bind-address", "notanaddr"},
			wantErr: "raykube-operator: --metrics-bind-address \"notanaddr\" is not a listen address " +
				"(host:port, e.g. 127.0.0.1:8080): missing port in address\n",
			wantCode: 2,
		},
		"kubeconfig missing": {
			args: []string{"--kubeconfig", "/nonexistent"},
			wantErr: "raykube-operator: cannot load the kubeconfig: " +
				"stat /nonexistent: no such file or directory\n",
			wantCode: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), "KUBECONFIG=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.wantCode {
				t.Errorf("exit: %v, want code %d", err, tc.wantCode)
			}
			if stderr.String() != tc.wantErr || stdout.Len() != 0 {
				t.Errorf("stderr %q, stdout %q; want stderr %q and no stdout",
					stderr.String(), stdout.String(), tc.wantErr)
			}
		})
	}
}
