package main

import (
	"bytes"
	"testing"
)

// TestLocalRefusesZeroAndNegativeValues runs `raykube local` commands with values that a
// default used to stand in for, or that mean nothing: each is refused before anything
// starts, naming the flag.
func TestLocalRefusesZeroAndNegativeValues(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"add-node --pods 0": {
			args: []string{"add-node", "--pods", "0"},
			want: "--pods: must be at least 1, not 0",
		},
		"add-node --pods -1": {
			args: []string{"add-node", "--pods", "-1"},
			want: "--pods: must be at least 1, not -1",
		},
		"add-node --cpu 0": {
			args: []string{"add-node", "--cpu", "0"},
			want: "--cpu: must be greater than zero, not 0",
		},
		"add-node --memory 0": {
			args: []string{"add-node", "--memory", "0"},
			want: "--memory: must be greater than zero, not 0",
		},
		"add-node --gpu -1": {
			args: []string{"add-node", "--gpu", "-1"},
			want: "--gpu: must not be negative, not -1",
		},
		"add-node --resources google.com/tpu=0": {
			args: []string{"add-node", "--resources", "google.com/tpu=0"},
			want: "--resources[google.com/tpu]: must be greater than zero, not 0",
		},
		"add-node --timeout -1s": {
			args: []string{"add-node", "--timeout", "-1s"},
			want: "--timeout: must not be negative, not -1s",
		},
		"up --node-count 0": {
			args: []string{"up", "--node-count", "0"},
			want: "--node-count: must be at least 1, not 0",
		},
		"up --node-cpu 0": {
			args: []string{"up", "--node-cpu", "0"},
			want: "--node-cpu: must be greater than zero, not 0",
		},
		"up --node-memory 0": {
			args: []string{"up", "--node-memory", "0"},
			want: "--node-memory: must be greater than zero, not 0",
		},
		"up --node-gpu -1": {
			args: []string{"up", "--node-gpu", "-1"},
			want: "--node-gpu: must not be negative, not -1",
		},
		"operator --metrics-bind-address notanaddr": {
			args: []string{"operator", "--kubeconfig", "kubeconfig",
				"--metrics-bind-address", "notanaddr"},
			want: `--metrics-bind-address "notanaddr" is not a listen address ` +
				"(host:port, e.g. 127.0.0.1:8080): missing port in address",
		},
		"apiserver --grpc-addr :http": {
			args: []string{"apiserver", "--kubeconfig", "kubeconfig", "--grpc-addr", ":http"},
			want: `--grpc-addr ":http": port "http" is not a number from 0 to 65535`,
		},
		"up --timeout 0": {
			args: []string{"up", "--timeout", "0"},
			want: "--timeout: must be positive, not 0s",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cmd := newLocalCommand()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(append(tc.args, "--state-dir", t.TempDir()))
			err := cmd.Execute()
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
