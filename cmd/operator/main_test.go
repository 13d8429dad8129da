package main

import (
	"testing"

	"github.com/raykube/raykube/internal/testenv"
)

// TestStartUpErrors runs the built program with a bad flag and with a kubeconfig that does
// not exist: each ends at once with one line on standard error naming the flag or the file,
// no log and no stack trace, and a non-zero exit code.
func TestStartUpErrors(t *testing.T) {
	testenv.CheckStartUpErrors(t, "raykube-operator", map[string]testenv.StartUpError{
		"bad address": {
			Args: []string{"--metrics-bind-address", "notanaddr"},
			WantErr: "raykube-operator: --metrics-bind-address \"notanaddr\" is not a listen address " +
				"(host:port, e.g. 127.0.0.1:8080): missing port in address\n",
			WantCode: 2,
		},
		"kubeconfig missing": {
			Args: []string{"--kubeconfig", "/nonexistent"},
			WantErr: "raykube-operator: cannot load the kubeconfig: " +
				"stat /nonexistent: no such file or directory\n",
			WantCode: 1,
		},
	})
}
