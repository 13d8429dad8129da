package kubectlray

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestUnknownSubcommands runs commands that name a command or resource that does not exist:
// each must fail naming what was typed and what exists, and print nothing, rather than print
// the help and succeed. A command that only groups others still prints its help without an
// argument.
func TestUnknownSubcommands(t *testing.T) {
	tests := map[string]struct {
		args     []string
		wantErr  string
		wantHelp bool
	}{
		"get foo": {
			args:    []string{"get", "foo"},
			wantErr: `unknown resource "foo" for "kubectl ray get": use one of cluster, nodes, workergroups`,
		},
		"create foo": {
			args:    []string{"create", "foo", "demo"},
			wantErr: `unknown resource "foo" for "kubectl ray create": use one of cluster, workergroup`,
		},
		"scale foo": {
			args:    []string{"scale", "foo"},
			wantErr: `unknown resource "foo" for "kubectl ray scale": use one of cluster`,
		},
		"scale clusters": {
			args:    []string{"scale", "clusters", "demo"},
			wantErr: `unknown resource "clusters" for "kubectl ray scale": use one of cluster`,
		},
		"foo": {
			args: []string{"foo"},
			wantErr: `unknown command "foo" for "kubectl ray": ` +
				"use one of completion, create, delete, get, scale, session, version",
		},
		"completion foo": {
			args: []string{"completion", "foo"},
			wantErr: `unknown command "foo" for "kubectl ray completion": ` +
				"use one of bash, fish, powershell, zsh",
		},
		"help get foo": {
			args:    []string{"help", "get", "foo"},
			wantErr: `unknown resource "foo" for "kubectl ray get": use one of cluster, nodes, workergroups`,
		},
		"get":            {args: []string{"get"}, wantHelp: true},
		"help create":    {args: []string{"help", "create"}, wantHelp: true},
		"get cluster -h": {args: []string{"get", "cluster", "-h"}, wantHelp: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			cmd := NewCommand(Options{IOStreams: genericiooptions.IOStreams{
				In: strings.NewReader(""), Out: &out, ErrOut: &errOut}})
			cmd.SetOut(&out)
			cmd.SetErr(&errOut)
			cmd.SetArgs(tc.args)
			err := cmd.ExecuteContext(context.Background())
			if tc.wantHelp {
				if err != nil || !strings.Contains(out.String(), "Usage:") {
					t.Errorf("error %v, output %q; want the help", err, out.String())
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q, want nothing", out.String())
			}
		})
	}
}
