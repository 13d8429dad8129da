package monitoring

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// promtool returns the path of Prometheus's promtool, failing the test when it is missing.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not installed; on Debian or Ubuntu: " +
			"apt-get update && apt-get install -y prometheus")
	}
	return path
}

// writeRuleFiles writes the PrometheusRule's spec.groups as a Prometheus rules file, rules.yaml,
// and a copy of the rules' unit tests beside it, in a new directory; it returns the directory.
func writeRuleFiles(t *testing.T) string {
	t.Helper()
	rule := readRule(t)
	rules, err := yaml.Marshal(map[string]any{"groups": rule.Spec.Groups})
	if err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile(filepath.Join("testdata", "gcs-rules.test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"rules.yaml": rules, "rules.test.yaml": tests} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runPromtool runs promtool in dir and returns its combined output.
func runPromtool(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPromtoolCheckRules(t *testing.T) {
	dir := writeRuleFiles(t)
	if out, err := runPromtool(t, dir, "check", "rules", "rules.yaml"); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// TestPromtoolTestRules proves the recording rule's value and when the alert fires.
func TestPromtoolTestRules(t *testing.T) {
	dir := writeRuleFiles(t)
	if out, err := runPromtool(t, dir, "test", "rules", "rules.test.yaml"); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

// TestPromtoolTestRulesCatchesAnEarlyAlert makes sure the unit tests can fail: the same tests,
// expecting the alert a minute before cluster a has been silent for 5 minutes, must not pass.
func TestPromtoolTestRulesCatchesAnEarlyAlert(t *testing.T) {
	dir := writeRuleFiles(t)
	path := filepath.Join(dir, "rules.test.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	early := strings.Replace(string(data), "eval_time: 15m30s", "eval_time: 14m30s", 1)
	if early == string(data) {
		t.Fatal("testdata/gcs-rules.test.yaml has no alert test at 15m30s")
	}
	if err := os.WriteFile(path, []byte(early), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runPromtool(t, dir, "test", "rules", "rules.test.yaml")
	if err == nil {
		t.Fatalf("promtool test rules passed with the alert expected at 14m30s:\n%s", out)
	}
	if !strings.Contains(out, "RayGCSMetricsMissing") {
		t.Errorf("promtool failed, but not on the alert:\n%s", out)
	}
}

// TestRuleMetrics checks that the rules name only metrics that Ray exports.
func TestRuleMetrics(t *testing.T) {
	allowed := allowedMetrics(t)
	p := parser.NewParser(parser.Options{})
	for _, group := range readRule(t).Spec.Groups {
		for _, r := range group.Rules {
			expr, err := p.ParseExpr(r.Expr)
			if err != nil {
				t.Errorf("%s%s: %v", r.Record, r.Alert, err)
				continue
			}
			for _, name := range metricNames(expr) {
				if _, ok := allowed[name]; !ok {
					t.Errorf("%s%s: metric %q is in no config/grafana/*-metrics.txt",
						r.Record, r.Alert, name)
				}
			}
		}
	}
}
