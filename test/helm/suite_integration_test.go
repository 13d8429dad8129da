//go:build integration

package helm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/testenv"
)

// The Prometheus Operator release whose ServiceMonitor CRD the chart's monitors are applied
// against (the one test/monitoring uses), and the checksum of its module as in a go.sum. The CRD
// is read from the module cache, not copied into this repository.
const (
	promOperatorModule  = "github.com/prometheus-operator/prometheus-operator"
	promOperatorVersion = "v0.85.0"
	promOperatorSum     = "h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s="
)

var (
	sharedEnv     *testenv.Env
	sharedEnvErr  error
	sharedEnvOnce sync.Once
)

// TestMain stops the API server that the first integration test started.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedEnv != nil {
		if err := sharedEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping kube-apiserver and etcd: %v\n", err)
		}
	}
	os.Exit(code)
}

// env returns the package's API server, with raykube's CRD and the Prometheus Operator's
// ServiceMonitor CRD, starting it on first use.
func env(t *testing.T) *testenv.Env {
	t.Helper()
	sharedEnvOnce.Do(func() {
		sharedEnv, sharedEnvErr = testenv.Start()
		if sharedEnvErr == nil {
			// The tests read CRDs with the environment's client.
			sharedEnvErr = apiextensionsv1.AddToScheme(sharedEnv.Scheme)
		}
		if sharedEnvErr == nil {
			sharedEnvErr = installServiceMonitorCRD(sharedEnv)
		}
	})
	if sharedEnvErr != nil {
		t.Fatal(sharedEnvErr)
	}
	return sharedEnv
}

// installServiceMonitorCRD creates the ServiceMonitor CRD, downloading the Prometheus Operator's
// module into the module cache when it is not there yet.
func installServiceMonitorCRD(e *testenv.Env) error {
	cmd := exec.Command("go", "mod", "download", "-json", promOperatorModule+"@"+promOperatorVersion)
	// The module is in no go.sum; the checksum below verifies it instead.
	cmd.Env = append(os.Environ(), "GONOSUMDB="+promOperatorModule)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go mod download %s@%s: %w (%s)", promOperatorModule, promOperatorVersion,
			err, out)
	}
	var mod struct{ Dir, Sum, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return fmt.Errorf("go mod download %s: %w", promOperatorModule, err)
	}
	if mod.Error != "" {
		return fmt.Errorf("go mod download %s: %s", promOperatorModule, mod.Error)
	}
	if mod.Sum != promOperatorSum {
		return fmt.Errorf("%s@%s has checksum %s, want %s", promOperatorModule, promOperatorVersion,
			mod.Sum, promOperatorSum)
	}
	crd := filepath.Join(mod.Dir, "example", "prometheus-operator-crd",
		"monitoring.coreos.com_servicemonitors.yaml")
	if _, err := e.Kubectl("apply", "--server-side", "-f", crd); err != nil {
		return err
	}
	_, err = e.Kubectl("wait", "--for=condition=Established", "--timeout=60s",
		"crd/servicemonitors.monitoring.coreos.com")
	return err
}

// ensureNamespace creates a namespace unless it exists; it is left for the other tests.
func ensureNamespace(t *testing.T, c client.Client, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if err := c.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// helmConfig is Helm's action configuration for namespace of the test API server, as an
// administrator, with releases stored in Secrets as the helm command stores them.
func helmConfig(t *testing.T, e *testenv.Env, namespace string) *action.Configuration {
	t.Helper()
	path, err := e.Kubeconfig()
	if err != nil {
		t.Fatal(err)
	}
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &path
	flags.Namespace = &namespace
	cfg := action.NewConfiguration()
	if err := cfg.Init(flags, namespace, "secret"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// installedPod is the pod template of an installed Deployment.
func installedPod(t *testing.T, e *testenv.Env, namespace, name string) corev1.PodSpec {
	t.Helper()
	var dep appsv1.Deployment
	if err := e.Client.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: name},
		&dep); err != nil {
		t.Fatal(err)
	}
	return dep.Spec.Template.Spec
}

// serviceAccountConfig reaches the test API server as a ServiceAccount (impersonated), so with
// exactly the permissions granted to it.
func serviceAccountConfig(e *testenv.Env, namespace, name string) *rest.Config {
	cfg := rest.CopyConfig(e.Config)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: fmt.Sprintf("system:serviceaccount:%s:%s", namespace, name)}
	return cfg
}
