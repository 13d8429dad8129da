//go:build integration

package helm

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/raykube/raykube/internal/testenv"
)

const (
	crdName     = "rayclusters.ray.io"
	crdFile     = "crds/ray.io_rayclusters.yaml"
	helmTimeout = 2 * time.Minute
	// secretLimit is the most data a Secret may hold.
	secretLimit = 1 << 20
)

// install installs the chart as `helm install` does (no wait beyond the CRDs).
func install(t *testing.T, cfg *action.Configuration, name, namespace, values string) {
	t.Helper()
	in := action.NewInstall(cfg)
	in.ReleaseName, in.Namespace = name, namespace
	in.WaitStrategy, in.Timeout = kube.HookOnlyStrategy, helmTimeout
	if _, err := in.Run(loadChart(t), parseValues(t, values)); err != nil {
		t.Fatalf("helm install %s: %v", name, err)
	}
}

// A real install, upgrade and uninstall on a cluster without the CRD: Helm creates the CRD from
// crds/, stores the release in a Secret well under the Secret size limit although the chart
// holds the 1 MB CRD, and leaves the CRD in place on uninstall.
func TestInstallUpgradeUninstall(t *testing.T) {
	e := env(t)
	ctx := context.Background()
	deleteCRD(t, e)
	ns := e.NewNamespace(t, "helm-")
	cfg := helmConfig(t, e, ns)

	install(t, cfg, releaseName, ns, "")
	var crd apiextensionsv1.CustomResourceDefinition
	if err := e.Client.Get(ctx, client.ObjectKey{Name: crdName}, &crd); err != nil {
		t.Fatalf("helm install did not create the CRD: %v", err)
	}
	if !established(&crd) {
		t.Errorf("CRD %s is not established after helm install", crdName)
	}
	// A client-side apply would have stored the whole CRD in this annotation, over its limit.
	if _, ok := crd.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; ok {
		t.Errorf("helm install wrote a last-applied-configuration annotation on the CRD")
	}
	for _, obj := range []client.Object{
		&appsv1.Deployment{}, &corev1.ServiceAccount{}, &corev1.Service{},
	} {
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: releaseName}, obj); err != nil {
			t.Errorf("after install: %T %s: %v", obj, releaseName, err)
		}
	}
	checkReleaseSecret(t, e, ns, 1)
	checkCRDUpgradeCommand(t, e)

	up := action.NewUpgrade(cfg)
	up.Namespace, up.WaitStrategy, up.Timeout = ns, kube.HookOnlyStrategy, helmTimeout
	if _, err := up.Run(releaseName, loadChart(t), parseValues(t, "apiserver: {enabled: true}")); err != nil {
		t.Fatalf("helm upgrade: %v", err)
	}
	apiserverName := releaseName + "-apiserver"
	if err := e.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: apiserverName},
		&appsv1.Deployment{}); err != nil {
		t.Errorf("after upgrade: API server Deployment: %v", err)
	}
	checkReleaseSecret(t, e, ns, 2)

	un := action.NewUninstall(cfg)
	un.WaitStrategy, un.Timeout, un.DeletionPropagation = kube.HookOnlyStrategy, helmTimeout, "background"
	if _, err := un.Run(releaseName); err != nil {
		t.Fatalf("helm uninstall: %v", err)
	}
	gone := []struct {
		obj client.Object
		key client.ObjectKey
	}{
		{&appsv1.Deployment{}, client.ObjectKey{Namespace: ns, Name: releaseName}},
		{&appsv1.Deployment{}, client.ObjectKey{Namespace: ns, Name: apiserverName}},
		{&rbacv1.ClusterRole{}, client.ObjectKey{Name: releaseName}},
		{&rbacv1.ClusterRole{}, client.ObjectKey{Name: apiserverName}},
	}
	for _, g := range gone {
		testenv.Eventually(t, fmt.Sprintf("%T %s deleted", g.obj, g.key), time.Minute, func() error {
			return notFound(e.Client.Get(ctx, g.key, g.obj))
		})
	}
	if err := e.Client.Get(ctx, client.ObjectKey{Name: crdName}, &crd); err != nil {
		t.Errorf("helm uninstall removed the CRD (%v); Helm never deletes crds/", err)
	}
	var secrets corev1.SecretList
	if err := e.Client.List(ctx, &secrets, client.InNamespace(ns),
		client.MatchingLabels{"owner": "helm"}); err != nil || len(secrets.Items) != 0 {
		t.Errorf("release Secrets after uninstall: %d (%v), want none", len(secrets.Items), err)
	}
}

// checkCRDUpgradeCommand applies, as the install notes and docs/helm.md say to after an
// upgrade, a newer CRD over the one Helm created: kubectl's server-side apply conflicts with
// the fields Helm wrote unless given --force-conflicts. The chart's own CRD is applied last,
// so that the cluster is left with it.
func checkCRDUpgradeCommand(t *testing.T, e *testenv.Env) {
	t.Helper()
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(readRepoFile(t, "charts", "raykube-operator", crdFile), &crd); err != nil {
		t.Fatal(err)
	}
	schema := crd.Spec.Versions[0].Schema.OpenAPIV3Schema
	schema.Description += " (a newer chart)"
	newer, err := yaml.Marshal(&crd)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "newer-crd.yaml")
	if err := os.WriteFile(path, newer, 0o600); err != nil {
		t.Fatal(err)
	}

	_, err = e.Kubectl("apply", "--server-side", "-f", path)
	if err == nil || !strings.Contains(err.Error(), "conflict") {
		t.Errorf("kubectl apply --server-side of a newer CRD over Helm's: %v, want a conflict", err)
	}
	if _, err := e.Kubectl(upgradeCRDArgs(path)...); err != nil {
		t.Errorf("the documented CRD upgrade: %v", err)
	}
	if _, err := e.Kubectl(upgradeCRDArgs(filepath.Join(chartDir(t), crdFile))...); err != nil {
		t.Errorf("applying the chart's CRD again: %v", err)
	}
}

// deleteCRD removes the RayCluster CRD that testenv installed, so that Helm installs it.
func deleteCRD(t *testing.T, e *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	crd := &apiextensionsv1.CustomResourceDefinition{}
	crd.Name = crdName
	if err := e.Client.Delete(ctx, crd); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	testenv.Eventually(t, "CRD deleted", time.Minute, func() error {
		return notFound(e.Client.Get(ctx, client.ObjectKey{Name: crdName}, crd))
	})
}

// notFound turns the result of a Get into nil when the object is gone.
func notFound(err error) error {
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err == nil:
		return errors.New("still there")
	default:
		return err
	}
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}

// checkReleaseSecret reads the Secret Helm stored revision in and checks that it holds the CRD
// (Helm keeps the chart's files, crds/ among them, in every revision) and fits a Secret with room
// to spare.
func checkReleaseSecret(t *testing.T, e *testenv.Env, ns string, revision int) {
	t.Helper()
	var secret corev1.Secret
	name := fmt.Sprintf("sh.helm.release.v1.%s.v%d", releaseName, revision)
	if err := e.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name},
		&secret); err != nil {
		t.Fatalf("release Secret: %v", err)
	}
	size := 0
	for _, v := range secret.Data {
		size += len(v)
	}
	crd, err := fileInRelease(secret.Data["release"], crdFile)
	if err != nil {
		t.Fatalf("release Secret %s: %v", name, err)
	}
	t.Logf("release Secret %s: %d bytes of data (limit %d); it holds %s (%d bytes)", name, size,
		secretLimit, crdFile, len(crd))
	if want := readRepoFile(t, "config", "crd", "bases", "ray.io_rayclusters.yaml"); !bytes.Equal(crd, want) {
		t.Errorf("the release holds a %s of %d bytes, want the generated CRD (%d bytes)", crdFile,
			len(crd), len(want))
	}
	if size > secretLimit/4 {
		t.Errorf("release Secret %s holds %d bytes, more than a quarter of the %d a Secret may hold",
			name, size, secretLimit)
	}
}

// fileInRelease decodes a release as Helm stores it (base64 of gzipped JSON) and returns a file
// of its chart.
func fileInRelease(stored []byte, path string) ([]byte, error) {
	zipped, err := base64.StdEncoding.DecodeString(string(stored))
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var rel struct {
		Chart struct {
			Files []struct {
				Name string `json:"name"`
				Data []byte `json:"data"`
			} `json:"files"`
		} `json:"chart"`
	}
	if err := json.Unmarshal(data, &rel); err != nil {
		return nil, err
	}
	for _, f := range rel.Chart.Files {
		if f.Name == path {
			return f.Data, nil
		}
	}
	return nil, errors.New("no " + path + " in the stored chart")
}
