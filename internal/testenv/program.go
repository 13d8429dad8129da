package testenv

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// StartUpError is a command line a program must refuse at start-up: one line on standard error,
// nothing on standard output, and the exit code.
type StartUpError struct {
	Args     []string
	WantErr  string
	WantCode int
}

// CheckStartUpErrors builds the main package of the current directory as program and runs it
// with each case's arguments, without a KUBECONFIG from the environment: each must end at once
// with exactly the case's standard error and exit code, no log and no stack trace.
func CheckStartUpErrors(t *testing.T, program string, cases map[string]StartUpError) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), program)
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.Args...)
			cmd.Env = append(os.Environ(), "KUBECONFIG=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.WantCode {
				t.Errorf("exit: %v, want code %d", err, tc.WantCode)
			}
			if stderr.String() != tc.WantErr || stdout.Len() != 0 {
				t.Errorf("stderr %q, stdout %q; want stderr %q and no stdout",
					stderr.String(), stdout.String(), tc.WantErr)
			}
		})
	}
}
