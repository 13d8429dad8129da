package monitoring

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// repoRoot is the root of the raykube source tree, two levels above this module.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(data, []byte("module github.com/raykube/raykube\n")) {
		t.Fatalf("%s is not the root of the raykube source tree (go.mod: %v)", root, err)
	}
	return root
}

// readYAML reads one YAML document of the source tree into out.
func readYAML(t *testing.T, path string, out any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// prometheusRule is the part of config/prometheus/prometheusrule.yaml the tests read.
type prometheusRule struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   map[string]any `json:"metadata"`
	Spec       struct {
		Groups []struct {
			Name     string `json:"name"`
			Interval string `json:"interval,omitempty"`
			Rules    []struct {
				Record      string            `json:"record,omitempty"`
				Alert       string            `json:"alert,omitempty"`
				Expr        string            `json:"expr"`
				For         string            `json:"for,omitempty"`
				Labels      map[string]string `json:"labels,omitempty"`
				Annotations map[string]string `json:"annotations,omitempty"`
			} `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

// readRule reads the PrometheusRule of config/prometheus.
func readRule(t *testing.T) prometheusRule {
	t.Helper()
	var rule prometheusRule
	readYAML(t, filepath.Join(repoRoot(t), "config", "prometheus", "prometheusrule.yaml"), &rule)
	if rule.Kind != "PrometheusRule" || len(rule.Spec.Groups) == 0 {
		t.Fatalf("prometheusrule.yaml: want a PrometheusRule with groups, got kind %q, %d groups",
			rule.Kind, len(rule.Spec.Groups))
	}
	return rule
}

// allowedMetrics reads config/grafana/*-metrics.txt: the metrics a dashboard may name, with the
// series names each allows (a histogram allows _bucket, _sum and _count) and the file that
// lists it.
func allowedMetrics(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "config", "grafana", "*-metrics.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no config/grafana/*-metrics.txt (%v)", err)
	}
	allowed := map[string]string{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) != 2 {
				t.Fatalf("%s:%d: want `name type`, got %q", file, i+1, line)
			}
			name, typ := fields[0], fields[1]
			source := filepath.Base(file)
			switch typ {
			case "counter", "gauge":
				allowed[name] = source
			case "histogram":
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					allowed[name+suffix] = source
				}
			default:
				t.Fatalf("%s:%d: unknown type %q", file, i+1, typ)
			}
		}
	}
	return allowed
}
