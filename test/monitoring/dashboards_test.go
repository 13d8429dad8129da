package monitoring

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type variable struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Query json.RawMessage `json:"query"`
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	// Panels are those of a collapsed row.
	Panels []panel `json:"panels"`
}

// clusterVariable is the variable every dashboard has and every query uses.
const clusterVariable = "Cluster"

// grafanaBuiltins are the values that stand for Grafana's own variables in the tests.
var grafanaBuiltins = map[string]string{
	"__rate_interval": "5m", "__interval": "1m", "__interval_ms": "60000",
	"__range": "1h", "__range_s": "3600", "__range_ms": "3600000",
}

// variableRef matches the ways Grafana refers to a variable: $name, ${name}, ${name:format},
// [[name]] and [[name:format]].
var variableRef = regexp.MustCompile(
	`\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]|\$([A-Za-z_]\w*)`)

// labelValues matches a variable query of the form label_values(selector, label).
var labelValues = regexp.MustCompile(`^label_values\((.*),\s*(\w+)\)$`)

// substitute replaces the Grafana variables of expr: its dashboard's own by ".*" (they are
// used in regular-expression matchers), Grafana's by typical values. An unknown variable is
// an error.
func substitute(expr string, own []string) (string, error) {
	var unknown []string
	out := variableRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := variableRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if v, ok := grafanaBuiltins[name]; ok {
			return v
		}
		if slices.Contains(own, name) {
			return ".*"
		}
		unknown = append(unknown, name)
		return ref
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown variables %v", unknown)
	}
	return out, nil
}

// usesVariable reports whether expr refers to the variable name.
func usesVariable(expr, name string) bool {
	for _, m := range variableRef.FindAllStringSubmatch(expr, -1) {
		if m[1]+m[2]+m[3] == name {
			return true
		}
	}
	return false
}

// metricNames returns the metric names that the selectors of expr name; a selector that names
// no single metric (`{__name__=~"ray_.*"}`) gives the empty name, which no list allows.
func metricNames(expr parser.Expr) []string {
	var names []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := ""
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		names = append(names, name)
		return nil
	})
	return names
}

// flatten returns the panels of a dashboard with those inside rows.
func flatten(panels []panel) []panel {
	var all []panel
	for _, p := range panels {
		all = append(all, p)
		all = append(all, flatten(p.Panels)...)
	}
	return all
}

// dashboardFiles returns the paths of the dashboard JSON files of config/grafana.
func dashboardFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "config", "grafana", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("want the 3 dashboards (operator, API server, Ray cluster), found %v", files)
	}
	return files
}

func readDashboard(t *testing.T, path string) dashboard {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if d.UID == "" || d.Title == "" {
		t.Fatalf("%s: want a uid and a title", path)
	}
	return d
}

// TestDashboardQueries parses every PromQL expression of every dashboard, Grafana variables
// substituted, and checks that each names only metrics that raykube, Ray or the rules of
// config/prometheus export, and that each uses the Cluster variable.
func TestDashboardQueries(t *testing.T) {
	allowed := allowedMetrics(t)
	for _, group := range readRule(t).Spec.Groups {
		for _, r := range group.Rules {
			if r.Record != "" {
				allowed[r.Record] = "config/prometheus/prometheusrule.yaml"
			}
		}
	}
	p := parser.NewParser(parser.Options{})

	for _, path := range dashboardFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d := readDashboard(t, path)
			var own []string
			for _, v := range d.Templating.List {
				own = append(own, v.Name)
			}
			if !slices.Contains(own, clusterVariable) {
				t.Errorf("no %s variable; variables: %v", clusterVariable, own)
			}

			check := func(where, expr string) {
				t.Helper()
				promql, err := substitute(expr, own)
				if err != nil {
					t.Errorf("%s: %v in %s", where, err, expr)
					return
				}
				parsed, err := p.ParseExpr(promql)
				if err != nil {
					t.Errorf("%s: %v\n%s", where, err, promql)
					return
				}
				names := metricNames(parsed)
				if len(names) == 0 {
					t.Errorf("%s: names no metric: %s", where, expr)
				}
				for _, name := range names {
					if _, ok := allowed[name]; !ok {
						t.Errorf("%s: metric %q is in no config/grafana/*-metrics.txt", where, name)
					}
				}
			}

			for _, v := range d.Templating.List {
				if v.Type != "query" {
					continue
				}
				q := variableQuery(t, v)
				m := labelValues.FindStringSubmatch(q)
				if m == nil {
					t.Errorf("variable %s: want label_values(selector, label), got %q", v.Name, q)
					continue
				}
				check("variable "+v.Name, m[1])
			}

			ids := map[int]string{}
			exprs := 0
			for _, pn := range flatten(d.Panels) {
				if other, dup := ids[pn.ID]; dup {
					t.Errorf("panels %q and %q share the id %d", other, pn.Title, pn.ID)
				}
				ids[pn.ID] = pn.Title
				if pn.Type == "row" {
					continue
				}
				if !strings.Contains(string(pn.Datasource), "${datasource}") {
					t.Errorf("panel %q: want the datasource variable, got %s", pn.Title, pn.Datasource)
				}
				if len(pn.Targets) == 0 {
					t.Errorf("panel %q has no query", pn.Title)
				}
				for i, target := range pn.Targets {
					where := fmt.Sprintf("panel %q, query %d", pn.Title, i)
					if !usesVariable(target.Expr, clusterVariable) {
						t.Errorf("%s: does not filter by $%s: %s", where, clusterVariable, target.Expr)
					}
					check(where, target.Expr)
					exprs++
				}
			}
			t.Logf("%d panels, %d expressions", len(ids), exprs)
		})
	}
}

// variableQuery returns a query variable's query: Grafana writes it as a string or as an
// object with a query field.
func variableQuery(t *testing.T, v variable) string {
	t.Helper()
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var obj struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(v.Query, &obj); err != nil {
		t.Fatalf("variable %s: query %s: %v", v.Name, v.Query, err)
	}
	return obj.Query
}

// TestDashboardChecksCatchMistakes makes sure the checks above can fail.
func TestDashboardChecksCatchMistakes(t *testing.T) {
	own := []string{"datasource", clusterVariable}
	p := parser.NewParser(parser.Options{})
	for name, tc := range map[string]struct {
		expr        string
		wantSubsErr bool
		wantParse   bool
		wantNames   []string
	}{
		"unknown variable": {expr: `up{cluster=~"$Clustr"}`, wantSubsErr: true},
		"unbalanced":       {expr: `sum(rate(x{c=~"$Cluster"}[$__rate_interval])`},
		"names": {
			expr: `histogram_quantile(0.9, sum by (le) ` +
				`(rate(a_bucket{c=~"${Cluster:regex}"}[$__rate_interval]))) / b`,
			wantParse: true, wantNames: []string{"a_bucket", "b"},
		},
		"regex metric name": {
			expr: `sum({__name__=~"ray_.*", c=~"$Cluster"})`, wantParse: true, wantNames: []string{""},
		},
		"label_replace $1 is no variable": {
			expr:      `label_replace(a{c=~"[[Cluster]]"}, "x", "$1", "y", "(.*)")`,
			wantParse: true, wantNames: []string{"a"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			promql, err := substitute(tc.expr, own)
			if (err != nil) != tc.wantSubsErr {
				t.Fatalf("substitute(%q) error %v, want error %v", tc.expr, err, tc.wantSubsErr)
			}
			if err != nil {
				return
			}
			parsed, err := p.ParseExpr(promql)
			if (err == nil) != tc.wantParse {
				t.Fatalf("ParseExpr(%q) error %v, want parsed %v", promql, err, tc.wantParse)
			}
			if err != nil {
				return
			}
			if got := metricNames(parsed); !slices.Equal(got, tc.wantNames) {
				t.Errorf("metricNames(%q) = %v, want %v", promql, got, tc.wantNames)
			}
		})
	}
}
