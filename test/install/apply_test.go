//go:build integration

package install

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/operator"
)

// TestApplyServerSide applies config/default as the documentation says, checks that the API
// server stored every object, and that applying again (an upgrade) succeeds too.
func TestApplyServerSide(t *testing.T) {
	install(t)
	objs := render(t, "default")
	for _, obj := range objs {
		stored := &unstructured.Unstructured{}
		stored.SetGroupVersionKind(obj.GroupVersionKind())
		err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), stored)
		if err != nil {
			t.Errorf("%s %s was not stored: %v", obj.GetKind(), obj.GetName(), err)
		}
	}

	out, err := env.Kubectl("apply", "--server-side", "-k", configDir("default"))
	if err != nil {
		t.Fatalf("applying config/default again: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines {
		if !strings.HasSuffix(line, " serverside-applied") {
			t.Errorf("applying again: %q", line)
		}
	}
	if len(lines) != len(objs) {
		t.Errorf("applying again: %d lines for %d objects:\n%s", len(lines), len(objs), out)
	}
}

// TestClientSideApplyIsRefused shows why the documentation says --server-side: a client-side
// apply records the whole CRD in an annotation, and the API server refuses one that large.
func TestClientSideApplyIsRefused(t *testing.T) {
	install(t)
	_, err := env.Kubectl("apply", "--dry-run=server", "-k", configDir("crd"))
	if err == nil || !strings.Contains(err.Error(), "Too long") {
		t.Errorf("a client-side apply of the CRD: %v; want the annotation refused as too long",
			err)
	}
}

// TestPodsMeetRestrictedPodSecurity creates, as a dry run, each Deployment's pod in the
// namespace, which enforces the restricted Pod Security Standard, and checks that the standard
// is really enforced there: the same pod without its security settings is refused.
func TestPodsMeetRestrictedPodSecurity(t *testing.T) {
	install(t)
	ctx := context.Background()
	for _, name := range []string{operatorName, apiName} {
		t.Run(name, func(t *testing.T) {
			d, _ := deployment(t, name)
			pod := &corev1.Pod{ObjectMeta: *d.Spec.Template.ObjectMeta.DeepCopy(),
				Spec: *d.Spec.Template.Spec.DeepCopy()}
			pod.Name, pod.Namespace = name+"-pod-security", namespace
			if err := env.Client.Create(ctx, pod.DeepCopy(), client.DryRunAll); err != nil {
				t.Errorf("the pod of Deployment %s is refused: %v", name, err)
			}

			pod.Spec.SecurityContext = nil
			for i := range pod.Spec.Containers {
				pod.Spec.Containers[i].SecurityContext = nil
			}
			err := env.Client.Create(ctx, pod, client.DryRunAll)
			if err == nil || !strings.Contains(err.Error(), "violates PodSecurity") {
				t.Errorf("namespace %s admits a pod without security settings: %v", namespace,
					err)
			}
		})
	}
}

// TestDocumentedOverlay renders the overlay example of docs/install.md on config/default and
// applies it as a dry run over the installation: the API server's Service becomes a ClusterIP
// one, the operator gets its extra flag, and the image is the one the example sets.
func TestDocumentedOverlay(t *testing.T) {
	install(t)
	example := documentBlock(t, "../config/default")
	dir := t.TempDir()
	// kustomize takes bases by relative path only.
	base, err := filepath.Rel(dir, configDir("default"))
	if err != nil {
		t.Fatal(err)
	}
	example = strings.ReplaceAll(example, "../config/default", base)
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(example),
		0o600); err != nil {
		t.Fatal(err)
	}
	out, err := env.Kubectl("kustomize", dir)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeAll(out)
	if err != nil {
		t.Fatal(err)
	}

	svc := &corev1.Service{}
	typed(t, objs, "Service", apiName, svc)
	if svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("Service %s is a %s, want ClusterIP", apiName, svc.Spec.Type)
	}
	d := &appsv1.Deployment{}
	typed(t, objs, "Deployment", operatorName, d)
	c := d.Spec.Template.Spec.Containers[0]
	opts := operator.DefaultOptions()
	if err := parseArgs(operatorName, c.Args, opts.BindFlags, opts.Validate); err != nil {
		t.Errorf("the overlay's operator arguments %q: %v", c.Args, err)
	}
	if diff := cmp.Diff([]string{"team-a", "team-b"}, opts.WatchNamespaces); diff != "" {
		t.Errorf("watched namespaces (-want +got):\n%s", diff)
	}
	if want := "registry.example.com/raykube:v0.1.0"; c.Image != want {
		t.Errorf("image %q, want %q", c.Image, want)
	}
	if _, err := env.Kubectl("apply", "--server-side", "--dry-run=server", "-k", dir); err != nil {
		t.Errorf("applying the overlay over the installation: %v", err)
	}
}

// documentBlock returns the fenced YAML block of docs/install.md that contains text.
func documentBlock(t *testing.T, text string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(env.RepoRoot, "docs", "install.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(
		string(doc), -1) {
		if strings.Contains(block[1], text) {
			return block[1]
		}
	}
	t.Fatalf("docs/install.md has no YAML block with %q", text)
	return ""
}
