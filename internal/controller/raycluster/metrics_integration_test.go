//go:build integration

package raycluster_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// TestMetricsEndpoint scrapes the operator's real metrics endpoint while a cluster is created,
// provisioned, deleted and created again under the same name.
func TestMetricsEndpoint(t *testing.T) {
	ns := newNamespace(t)
	c := newCluster(ns, "measured").withGroup("small", 1).create(t)
	uid := string(c.UID)
	eventually(t, "provisioning series", func() error {
		return diffSeries(ns, []string{
			`kuberay_cluster_condition_provisioned{condition="false",name="measured",uid="` + uid + `"} 1`,
			`kuberay_cluster_head_ready{name="measured",uid="` + uid + `"} 0`,
			`kuberay_cluster_info{name="measured",owner_kind="None",uid="` + uid + `"} 1`,
			`kuberay_cluster_state{name="measured",state="provisioning",uid="` + uid + `"} 1`,
		})
	})

	waitForPods(t, c, nil, 2)
	runAll(t, c)
	waitForState(t, c, rayv1.Ready)
	eventually(t, "provisioned series", func() error {
		series, err := scrape(ns)
		if err != nil {
			return err
		}
		want := []string{
			`kuberay_cluster_condition_provisioned{condition="true",name="measured",uid="` + uid + `"} 1`,
			`kuberay_cluster_head_ready{name="measured",uid="` + uid + `"} 1`,
			`kuberay_cluster_info{name="measured",owner_kind="None",uid="` + uid + `"} 1`,
			`kuberay_cluster_state{name="measured",state="ready",uid="` + uid + `"} 1`,
		}
		var duration []string
		series = slices.DeleteFunc(series, func(s string) bool {
			if strings.HasPrefix(s, "kuberay_cluster_provisioned_duration_seconds") {
				duration = append(duration, s)
				return true
			}
			return false
		})
		if diff := cmp.Diff(want, series); diff != "" {
			return fmt.Errorf("series (-want +got):\n%s", diff)
		}
		if len(duration) != 1 || !strings.HasPrefix(duration[0],
			`kuberay_cluster_provisioned_duration_seconds{name="measured",uid="`+uid+`"} `) {
			return fmt.Errorf("provisioned duration series %q", duration)
		}
		return nil
	})

	if err := env.Client.Delete(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	eventually(t, "no series after deletion", func() error { return diffSeries(ns, nil) })

	again := newCluster(ns, "measured").create(t)
	if again.UID == c.UID {
		t.Fatal("the recreated cluster has the old uid")
	}
	eventually(t, "series of the new uid", func() error {
		return diffSeries(ns, []string{
			`kuberay_cluster_condition_provisioned{condition="false",name="measured",uid="` +
				string(again.UID) + `"} 1`,
			`kuberay_cluster_head_ready{name="measured",uid="` + string(again.UID) + `"} 0`,
			`kuberay_cluster_info{name="measured",owner_kind="None",uid="` + string(again.UID) + `"} 1`,
			`kuberay_cluster_state{name="measured",state="provisioning",uid="` + string(again.UID) + `"} 1`,
		})
	})
}

func diffSeries(ns string, want []string) error {
	got, err := scrape(ns)
	if err != nil {
		return err
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("series (-want +got):\n%s", diff)
	}
	return nil
}

// scrape reads the operator's metrics endpoint and returns the kuberay_cluster_* series of one
// namespace as sorted lines, without the namespace label.
func scrape(ns string) ([]string, error) {
	resp, err := http.Get("http://" + sharedMetricsAddr + "/metrics") //nolint:noctx // a test on loopback
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, err
	}
	var out []string
	for name, f := range families {
		if !strings.HasPrefix(name, "kuberay_cluster_") {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			inNamespace := false
			for _, l := range m.GetLabel() {
				if l.GetName() == "namespace" {
					inNamespace = l.GetValue() == ns
					continue
				}
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			if inNamespace {
				out = append(out, fmt.Sprintf("%s{%s} %g", name, strings.Join(labels, ","),
					m.GetGauge().GetValue()))
			}
		}
	}
	slices.Sort(out)
	if out == nil {
		return nil, nil
	}
	return out, nil
}
