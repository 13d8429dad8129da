//go:build integration

// Package install tests the kustomize installation of raykube (config/default and
// config/operator-only) against a real kube-apiserver: the objects it renders, that the API
// server accepts them, that each Deployment's arguments parse with its program's own flags, and
// that each ServiceAccount may do, through the rendered RBAC, what its program does — checked
// with access reviews and by running the operator and the API server with the ServiceAccounts'
// tokens.
package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/testenv"
)

// The names config/default installs under.
const (
	namespace    = "raykube-system"
	operatorName = "raykube-operator"
	apiName      = "raykube-apiserver"
)

// timeout bounds every wait for the operator or the API server to act.
const timeout = 30 * time.Second

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if env, err = testenv.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the test API server: %v\n", err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping the test API server: %v\n", err)
		}
	}()
	return m.Run()
}

// configDir is a kustomization under config/.
func configDir(name string) string {
	return filepath.Join(env.RepoRoot, "config", name)
}

// rendered keeps what render returned per kustomization: building one with the 1 MB CRD takes
// seconds.
var rendered = struct {
	sync.Mutex
	streams map[string]string
}{streams: map[string]string{}}

// render builds a kustomization under config/ with the kubectl of the control plane. Every call
// returns objects of its own.
func render(t *testing.T, name string) []*unstructured.Unstructured {
	t.Helper()
	rendered.Lock()
	defer rendered.Unlock()
	out, ok := rendered.streams[name]
	if !ok {
		var err error
		if out, err = env.Kubectl("kustomize", configDir(name)); err != nil {
			t.Fatal(err)
		}
		rendered.streams[name] = out
	}
	objs, err := decodeAll(out)
	if err != nil {
		t.Fatalf("kubectl kustomize config/%s: %v", name, err)
	}
	return objs
}

// decodeAll decodes a stream of YAML documents, skipping empty ones.
func decodeAll(stream string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(stream)), 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// typed returns the rendered object of a kind and name, converted into out.
func typed(t *testing.T, objs []*unstructured.Unstructured, kind, name string, out any) {
	t.Helper()
	for _, obj := range objs {
		if obj.GetKind() == kind && obj.GetName() == name {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object,
				out); err != nil {
				t.Fatalf("%s %s: %v", kind, name, err)
			}
			return
		}
	}
	t.Fatalf("config/default renders no %s %s", kind, name)
}

// deployment returns a rendered Deployment of config/default and its only container.
func deployment(t *testing.T, name string) (*appsv1.Deployment, corev1.Container) {
	t.Helper()
	d := &appsv1.Deployment{}
	typed(t, render(t, "default"), "Deployment", name, d)
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("Deployment %s has %d containers, want 1", name, n)
	}
	return d, d.Spec.Template.Spec.Containers[0]
}

var (
	installOnce sync.Once
	installErr  error
)

// install applies config/default to the test API server, once for the whole package, as the
// documentation says to.
func install(t *testing.T) {
	t.Helper()
	installOnce.Do(func() {
		_, installErr = env.Kubectl("apply", "--server-side", "-k", configDir("default"))
	})
	if installErr != nil {
		t.Fatalf("installing config/default: %v", installErr)
	}
}

// serviceAccountToken returns a token of a ServiceAccount, as the kubelet gives its pods.
func serviceAccountToken(t *testing.T, ns, name string) string {
	t.Helper()
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(context.Background(), name,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{
			ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("a token of ServiceAccount %s/%s: %v", ns, name, err)
	}
	return tr.Status.Token
}

// serviceAccountConfig returns a client configuration that authenticates as a ServiceAccount,
// as a pod of that ServiceAccount does.
func serviceAccountConfig(t *testing.T, ns, name string) *rest.Config {
	t.Helper()
	return &rest.Config{Host: env.Config.Host, BearerToken: serviceAccountToken(t, ns, name),
		TLSClientConfig: rest.TLSClientConfig{CAData: env.Config.CAData}}
}

// unstructuredObjects returns objs as client objects.
func unstructuredObjects(objs []*unstructured.Unstructured) []client.Object {
	out := make([]client.Object, 0, len(objs))
	for _, obj := range objs {
		out = append(out, obj)
	}
	return out
}
