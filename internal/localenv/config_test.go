package localenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	tests := map[string]struct {
		yaml string
		want Config
		// wantErrs are parts of the error, each naming a field.
		wantErrs []string
	}{
		"one group": {
			yaml: "nodes:\n- count: 2\n  cpu: 8\n  memory: 32Gi\n  gpu: 2\n",
			want: Config{Nodes: []NodeGroup{{Count: 2, CPU: "8", Memory: "32Gi", GPU: 2}}},
		},
		"groups with labels and extended resources": {
			yaml: `nodes:
- count: 1
  cpu: "16"
  memory: 64Gi
- count: 2
  namePrefix: tpu
  cpu: "8"
  memory: 64Gi
  resources: {google.com/tpu: "4"}
  labels: {cloud.google.com/gke-tpu-topology: 2x2x2}
`,
			want: Config{Nodes: []NodeGroup{
				{Count: 1, CPU: "16", Memory: "64Gi"},
				{Count: 2, NamePrefix: "tpu", CPU: "8", Memory: "64Gi",
					Resources: map[string]Quantity{"google.com/tpu": "4"},
					Labels:    map[string]string{"cloud.google.com/gke-tpu-topology": "2x2x2"}},
			}},
		},
		"pods": {
			yaml: "nodes:\n- count: 1\n  cpu: 1\n  memory: 1Gi\n  pods: 20\n",
			want: Config{Nodes: []NodeGroup{{Count: 1, CPU: "1", Memory: "1Gi", Pods: new(20)}}},
		},
		"unknown field": {
			yaml:     "nodes:\n- count: 1\n  cpu: 1\n  memory: 1Gi\n  cpus: 4\n",
			wantErrs: []string{`unknown field "nodes[0].cpus"`},
		},
		"no groups": {
			yaml:     "nodes: []\n",
			wantErrs: []string{"nodes: at least one node group is required"},
		},
		"bad values name their fields": {
			yaml: `nodes:
- count: 0
  cpu: lots
  memory: -1Gi
  gpu: -1
  pods: -3
`,
			wantErrs: []string{
				"nodes[0].count: must be at least 1, not 0",
				`nodes[0].cpu: "lots" is not a quantity`,
				"nodes[0].memory: must be greater than zero, not -1Gi",
				"nodes[0].gpu: must not be negative, not -1",
				"nodes[0].pods: must be at least 1, not -3",
			},
		},
		"no pods": {
			yaml:     "nodes:\n- count: 1\n  cpu: 1\n  memory: 1Gi\n  pods: 0\n",
			wantErrs: []string{"nodes[0].pods: must be at least 1, not 0"},
		},
		"missing capacity": {
			yaml:     "nodes:\n- count: 1\n",
			wantErrs: []string{"nodes[0].cpu: is required", "nodes[0].memory: is required"},
		},
		"bad resources and labels": {
			yaml: `nodes:
- count: 1
  cpu: 1
  memory: 1Gi
  resources: {tpu: "4", nvidia.com/gpu: "1", example.com/x: abc}
  labels: {"bad key!": v, ok: "bad value!"}
`,
			wantErrs: []string{
				`nodes[0].resources[tpu]: "tpu" is not an extended resource name`,
				"nodes[0].resources[nvidia.com/gpu]: nvidia.com/gpu is set by its own field",
				`nodes[0].resources[example.com/x]: "abc" is not a quantity`,
				`nodes[0].labels: key "bad key!"`,
				`nodes[0].labels[ok]: value "bad value!"`,
			},
		},
		"duplicate and invalid prefixes": {
			yaml: `nodes:
- {count: 1, cpu: 1, memory: 1Gi}
- {count: 1, cpu: 1, memory: 1Gi}
- {count: 1, cpu: 1, memory: 1Gi, namePrefix: Big_Nodes}
`,
			wantErrs: []string{
				`nodes[1].namePrefix: "raykube-node" is already used by nodes[0]`,
				`nodes[2].namePrefix: "Big_Nodes" is not a valid name prefix`,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tc.yaml))
			if len(tc.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("ParseConfig: %v", err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("config (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseConfig succeeded, want errors %q", tc.wantErrs)
			}
			for _, want := range tc.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadConfigNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.yaml")
	if err := os.WriteFile(path, []byte("nodes:\n- count: 1\n  cpu: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path+": nodes[0].memory: is required") {
		t.Errorf("LoadConfig error = %v, want one naming the file and the field", err)
	}
}

func TestFlagErrorsNameTheFlag(t *testing.T) {
	tests := map[string]struct {
		group NodeGroup
		field string
		want  string
	}{
		"up": {
			group: NodeGroup{Count: 0, CPU: "16", Memory: "64Gi"},
			field: "--node-", want: "--node-count: must be at least 1, not 0",
		},
		"up memory": {
			group: NodeGroup{Count: 1, CPU: "16", Memory: "64 GB"},
			field: "--node-", want: `--node-memory: "64 GB" is not a quantity`,
		},
		"add-node pods": {
			group: NodeGroup{Count: 1, CPU: "16", Memory: "64Gi", Pods: new(0)},
			field: "--", want: "--pods: must be at least 1, not 0",
		},
		"add-node resources": {
			group: NodeGroup{Count: 1, CPU: "1", Memory: "1Gi",
				Resources: map[string]Quantity{"google.com/tpu": "many"}},
			field: "--", want: `--resources[google.com/tpu]: "many" is not a quantity`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.group.Validate(tc.field)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate(%q) = %v, want an error containing %q", tc.field, err, tc.want)
			}
		})
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	templates, err := cfg.Templates()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tmpl := range templates {
		names = append(names, tmpl.Name)
	}
	want := []string{"raykube-node-1", "raykube-node-2", "raykube-node-3", "raykube-node-4"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("node names (-want +got):\n%s", diff)
	}
}
