package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/raykube/raykube/internal/testenv"
)

// Names every rendering in these tests uses: the install command of docs/helm.md.
const (
	releaseName      = "raykube-operator"
	releaseNamespace = "raykube-system"
	// kubeVersion is the Kubernetes release of the control plane the integration tests run.
	kubeVersion = "v1.37.2"
	// serviceMonitorAPI is what a cluster with the Prometheus Operator serves.
	serviceMonitorAPI = "monitoring.coreos.com/v1/ServiceMonitor"
)

// valueSet is one way of installing the chart that the tests render, lint and apply.
type valueSet struct {
	// values is YAML, as in a values file given with -f.
	values string
	// apiVersions are the extra API versions the cluster serves (Capabilities.APIVersions).
	apiVersions []string
}

// valueSets are the installs that must render, lint and be accepted by a real API server.
var valueSets = map[string]valueSet{
	"defaults":  {},
	"apiserver": {values: "apiserver: {enabled: true}"},
	"apiserver-no-auth": {values: `
apiserver:
  enabled: true
  auth: none
  allowInsecureRemote: true
  service: {type: ClusterIP, httpPort: 18888, grpcPort: 18887}
`},
	"single-namespace": {values: "singleNamespaceInstall: true"},
	"watch-namespaces": {values: "watchNamespace: [team-a, team-b]"},
	"custom-image": {values: `
image: {repository: registry.example.com/ray/raykube, tag: v9.9.9, pullPolicy: Always}
imagePullSecrets: [{name: registry-credentials}]
replicas: 2
logging: {format: console, verbosity: 2}
reconcileConcurrency: 4
kubeClient: {qps: 20, burst: 40}
extraArgs: [--cluster-domain=cluster.example, --pod-create-concurrency=5]
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: ray, effect: NoSchedule}]
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}]
resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 1Gi}}
priorityClassName: system-cluster-critical
serviceAccount: {name: ray-operator}
`},
	"servicemonitor": {
		values: `
metrics: {serviceMonitor: {enabled: true, labels: {release: kube-prometheus-stack}}}
apiserver: {enabled: true, serviceMonitor: {enabled: true}}
`,
		apiVersions: []string{serviceMonitorAPI},
	},
	"metrics-off": {values: "metrics: {enabled: false}\nleaderElectionEnabled: false"},
}

// repoRoot is the root of the raykube source tree.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// chartDir is the chart under test.
func chartDir(t testing.TB) string {
	return filepath.Join(repoRoot(t), "charts", "raykube-operator")
}

// loadChart loads the chart from its directory, as `helm install <dir>` does.
func loadChart(t testing.TB) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir(t))
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	return ch
}

// parseValues reads YAML values as a values file given with -f.
func parseValues(t testing.TB, values string) map[string]any {
	t.Helper()
	vals, err := loader.LoadValues(strings.NewReader(values))
	if err != nil {
		t.Fatalf("values %q: %v", values, err)
	}
	return vals
}

// render renders the chart as `helm template` does, without a cluster, for Kubernetes
// kubeVersion serving the built-in APIs and apiVersions.
func render(t testing.TB, vs valueSet) (*release.Release, error) {
	t.Helper()
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = releaseName
	install.Namespace = releaseNamespace
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	install.KubeVersion = kv
	install.APIVersions = vs.apiVersions
	rel, err := install.Run(loadChart(t), parseValues(t, vs.values))
	if err != nil {
		return nil, err
	}
	r, ok := rel.(*release.Release)
	if !ok {
		t.Fatalf("install returned a %T, want a *release.Release", rel)
	}
	return r, nil
}

// mustRender renders vs and fails the test when the chart refuses it.
func mustRender(t testing.TB, vs valueSet) *release.Release {
	t.Helper()
	rel, err := render(t, vs)
	if err != nil {
		t.Fatalf("rendering %q: %v", vs.values, err)
	}
	return rel
}

// decodeManifest splits a rendered manifest into objects, in order.
func decodeManifest(t testing.TB, manifest string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(manifest)), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		err := dec.Decode(&u.Object)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("decoding the manifest: %v\n%s", err, manifest)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// objectKey names an object as "Kind namespace/name" ("Kind name" when cluster-scoped).
func objectKey(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + " " + u.GetName()
	}
	return fmt.Sprintf("%s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
}

// keys lists the objects as objectKey names them.
func keys(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, u := range objs {
		out = append(out, objectKey(u))
	}
	return out
}

// find returns the object with the key, or fails the test.
func find(t testing.TB, objs []*unstructured.Unstructured, key string) *unstructured.Unstructured {
	t.Helper()
	for _, u := range objs {
		if objectKey(u) == key {
			return u
		}
	}
	t.Fatalf("no %s among %v", key, keys(objs))
	return nil
}

// typed converts a rendered object of a built-in kind into out, refusing any field the Go type
// does not have: a misspelt field in a template fails here.
func typed(t testing.TB, u *unstructured.Unstructured, out runtime.Object) {
	t.Helper()
	gvks, _, err := clientgoscheme.Scheme.ObjectKinds(out)
	if err != nil || len(gvks) == 0 || gvks[0] != u.GroupVersionKind() {
		t.Fatalf("%s is a %v, not a %T (%v)", objectKey(u), u.GroupVersionKind(), out, err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(
		u.Object, out, true); err != nil {
		t.Fatalf("%s: %v", objectKey(u), err)
	}
}

// renderedDeployments returns the Deployments of a rendering, typed.
func renderedDeployments(t testing.TB, vs valueSet) []*appsv1.Deployment {
	t.Helper()
	var deps []*appsv1.Deployment
	for _, u := range decodeManifest(t, mustRender(t, vs).Manifest) {
		if u.GetKind() == "Deployment" {
			dep := &appsv1.Deployment{}
			typed(t, u, dep)
			deps = append(deps, dep)
		}
	}
	return deps
}

// readRepoFile reads a file of the source tree.
func readRepoFile(t testing.TB, path ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{repoRoot(t)}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
