package helm

import (
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
)

// TestLint runs `helm lint --strict` on the chart with every value set: a warning fails too.
func TestLint(t *testing.T) {
	for name, vs := range valueSets {
		t.Run(name, func(t *testing.T) {
			lint := action.NewLint()
			lint.Strict = true
			lint.Namespace = releaseNamespace
			kv, err := common.ParseKubeVersion(kubeVersion)
			if err != nil {
				t.Fatal(err)
			}
			lint.KubeVersion = kv
			result := lint.Run([]string{chartDir(t)}, parseValues(t, vs.values))
			for _, msg := range result.Messages {
				t.Logf("lint: %s", msg)
			}
			if result.TotalChartsLinted != 1 || len(result.Errors) > 0 {
				t.Errorf("lint: %d charts linted, errors: %v", result.TotalChartsLinted, result.Errors)
			}
		})
	}
}
