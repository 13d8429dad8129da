//go:build integration

package monitoring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// The Prometheus Operator release whose CRDs the monitors and rules are validated against, and
// the checksum of its module (as in a go.sum), so that what the proxy serves is what was
// reviewed. The CRDs are read from the module cache, not copied into this repository.
const (
	operatorModule    = "github.com/prometheus-operator/prometheus-operator"
	operatorVersion   = "v0.85.0"
	operatorModuleSum = "h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s="
)

// operatorCRDs downloads the Prometheus Operator's module into the module cache, when it is not
// there yet, and returns the paths of the CRDs of the kinds config/prometheus uses.
func operatorCRDs(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", operatorModule+"@"+operatorVersion)
	// The module is in no go.sum; the checksum below verifies it instead of the checksum
	// database.
	cmd.Env = append(os.Environ(), "GONOSUMDB="+operatorModule)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s@%s: %v (%s)", operatorModule, operatorVersion, err, out)
	}
	var mod struct{ Dir, Sum, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Error != "" {
		t.Fatalf("go mod download %s@%s: %v %s", operatorModule, operatorVersion, err, mod.Error)
	}
	if mod.Sum != operatorModuleSum {
		t.Fatalf("%s@%s has checksum %s, want %s", operatorModule, operatorVersion, mod.Sum,
			operatorModuleSum)
	}
	var paths []string
	for _, kind := range []string{"servicemonitors", "podmonitors", "prometheusrules"} {
		paths = append(paths, filepath.Join(mod.Dir, "example", "prometheus-operator-crd",
			"monitoring.coreos.com_"+kind+".yaml"))
	}
	return paths
}

// assetsDir is where kube-apiserver, etcd and kubectl are: KUBEBUILDER_ASSETS, else the
// directory `make controlplane` builds them into.
func assetsDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	cmd := exec.Command("go", "run", "./hack/assetsdir")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run ./hack/assetsdir: %v; set KUBEBUILDER_ASSETS", err)
	}
	return strings.TrimSpace(string(out))
}

// kustomize builds a kustomization with the kubectl of dir assets and returns its objects.
func kustomize(t *testing.T, assets, dir string) []*unstructured.Unstructured {
	t.Helper()
	out, err := exec.Command(filepath.Join(assets, "kubectl"), "kustomize", dir).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v", dir, stderrOf(err))
	}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		if err := decoder.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("kubectl kustomize %s: %v", dir, err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

func stderrOf(err error) string {
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		return err.Error() + ": " + string(exit.Stderr)
	}
	return err.Error()
}

// TestAssetsInAPIServer creates the monitors, the rule and the dashboards' ConfigMaps in a real
// API server that has the Prometheus Operator's CRDs, with strict field validation: a field the
// CRD's schema does not know fails the test.
func TestAssetsInAPIServer(t *testing.T) {
	assets := assetsDir(t)
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDInstallOptions:     envtest.CRDInstallOptions{Paths: operatorCRDs(t)},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting kube-apiserver and etcd from %s: %v", assets, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping kube-apiserver and etcd: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{FieldValidation: metav1.FieldValidationStrict})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "prometheus-system"}}
	if err := c.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	root := repoRoot(t)

	t.Run("prometheus", func(t *testing.T) {
		objs := kustomize(t, assets, filepath.Join(root, "config", "prometheus"))
		wantKinds := []string{"PodMonitor", "PrometheusRule", "ServiceMonitor", "ServiceMonitor",
			"ServiceMonitor"}
		var kinds []string
		for _, obj := range objs {
			kinds = append(kinds, obj.GetKind())
			if got := obj.GetLabels()["release"]; got != "prometheus" {
				t.Errorf("%s %s: label release=%q, want prometheus", obj.GetKind(), obj.GetName(), got)
			}
			if err := c.Create(ctx, obj); err != nil {
				t.Errorf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
			}
		}
		if strings.Join(kinds, ",") != strings.Join(wantKinds, ",") {
			t.Errorf("kinds %v, want %v", kinds, wantKinds)
		}
	})

	t.Run("raykube's monitors find its Services", func(t *testing.T) {
		services := map[string]*unstructured.Unstructured{}
		for _, obj := range kustomize(t, assets, filepath.Join(root, "config", "default")) {
			if obj.GetKind() == "Service" {
				services[obj.GetNamespace()+"/"+obj.GetName()] = obj
			}
		}
		want := map[string]string{ // monitor → the Service it must select, alone
			"raykube-operator":  "raykube-system/raykube-operator-metrics",
			"raykube-apiserver": "raykube-system/raykube-apiserver",
		}
		for _, obj := range kustomize(t, assets, filepath.Join(root, "config", "prometheus")) {
			wantService, ok := want[obj.GetName()]
			if obj.GetKind() != "ServiceMonitor" || !ok {
				continue
			}
			delete(want, obj.GetName())
			namespaces, _, _ := unstructured.NestedStringSlice(obj.Object, "spec",
				"namespaceSelector", "matchNames")
			selector, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "selector",
				"matchLabels")
			var selected []string
			for key, svc := range services {
				if !slices.Contains(namespaces, svc.GetNamespace()) {
					continue
				}
				labels := svc.GetLabels()
				matches := true
				for k, v := range selector {
					matches = matches && labels[k] == v
				}
				if matches {
					selected = append(selected, key)
				}
			}
			if len(selected) != 1 || selected[0] != wantService {
				t.Errorf("ServiceMonitor %s selects %v, want only %s", obj.GetName(), selected,
					wantService)
				continue
			}
			endpoints, _, _ := unstructured.NestedSlice(obj.Object, "spec", "endpoints")
			port := endpoints[0].(map[string]any)["port"]
			ports, _, _ := unstructured.NestedSlice(services[wantService].Object, "spec", "ports")
			found := false
			for _, p := range ports {
				found = found || p.(map[string]any)["name"] == port
			}
			if !found {
				t.Errorf("ServiceMonitor %s scrapes port %v, which Service %s does not have",
					obj.GetName(), port, wantService)
			}
		}
		if len(want) > 0 {
			t.Errorf("config/prometheus has no ServiceMonitor %v", want)
		}
	})

	t.Run("a typo fails", func(t *testing.T) {
		found := false
		for _, obj := range kustomize(t, assets, filepath.Join(root, "config", "prometheus")) {
			if obj.GetName() != "ray-head-monitor" {
				continue
			}
			found = true
			endpoints, _, _ := unstructured.NestedSlice(obj.Object, "spec", "endpoints")
			endpoint := endpoints[0].(map[string]any)
			endpoint["relabellings"] = endpoint["relabelings"]
			delete(endpoint, "relabelings")
			_ = unstructured.SetNestedSlice(obj.Object, endpoints, "spec", "endpoints")
			obj.SetName("typo")
			err := c.Create(ctx, obj)
			want := `unknown field "spec.endpoints[0].relabellings"`
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("creating a ServiceMonitor with spec.endpoints[0].relabellings: %v, "+
					"want unknown field", err)
			}
		}
		if !found {
			t.Fatal("config/prometheus has no ServiceMonitor")
		}
	})

	t.Run("release label can be changed", func(t *testing.T) {
		overlay := t.TempDir()
		// kustomize takes a base only by a relative path.
		base, err := filepath.Rel(overlay, filepath.Join(root, "config", "prometheus"))
		if err != nil {
			t.Fatal(err)
		}
		kustomization := "resources:\n  - " + base + "\nlabels:\n  - pairs:\n      release: kps\n"
		if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"),
			[]byte(kustomization), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, obj := range kustomize(t, assets, overlay) {
			if got := obj.GetLabels()["release"]; got != "kps" {
				t.Errorf("%s %s: release=%q, want kps", obj.GetKind(), obj.GetName(), got)
			}
			selector, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "selector",
				"matchLabels")
			if _, ok := selector["release"]; ok {
				t.Errorf("%s %s: the release label went into its selector %v",
					obj.GetKind(), obj.GetName(), selector)
			}
		}
	})

	t.Run("grafana", func(t *testing.T) {
		objs := kustomize(t, assets, filepath.Join(root, "config", "grafana"))
		if len(objs) != len(dashboardFiles(t)) {
			t.Errorf("%d objects, want a ConfigMap for each of the %d dashboards",
				len(objs), len(dashboardFiles(t)))
		}
		for _, obj := range objs {
			if obj.GetKind() != "ConfigMap" || obj.GetLabels()["grafana_dashboard"] != "1" {
				t.Errorf("%s %s, labels %v: want a ConfigMap labelled grafana_dashboard=1",
					obj.GetKind(), obj.GetName(), obj.GetLabels())
			}
			data, _, _ := unstructured.NestedStringMap(obj.Object, "data")
			for file, content := range data {
				want, err := os.ReadFile(filepath.Join(root, "config", "grafana", file))
				if err != nil || content != string(want) {
					t.Errorf("ConfigMap %s: %s differs from config/grafana/%s (%v)",
						obj.GetName(), file, file, err)
				}
			}
			if err := c.Create(ctx, obj); err != nil {
				t.Errorf("creating ConfigMap %s: %v", obj.GetName(), err)
			}
		}
	})
}
