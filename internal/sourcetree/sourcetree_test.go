package sourcetree

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindRootAndControlPlane(t *testing.T) {
	root := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module github.com/raykube/raykube\n")
	write("hack/controlplane/go.mod", "module x\n\nrequire (\n\tk8s.io/kubernetes v1.2.3\n"+
		"\tgo.etcd.io/etcd/server/v3 v3.4.5\n)\n")
	write("hack/controlplane/kwok/go.mod", "module y\n\nrequire sigs.k8s.io/kwok v0.6.7\n")
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}

	if _, ok := FindRoot(t.TempDir()); ok {
		t.Error("FindRoot found a source tree in an empty directory")
	}
	got, ok := FindRoot(t.TempDir(), deep)
	if !ok || got != root {
		t.Fatalf("FindRoot = %q, %v; want %q", got, ok, root)
	}
	dirs, err := FindControlPlane(root)
	if err != nil {
		t.Fatal(err)
	}
	want := ControlPlaneDirs{
		K8s:  filepath.Join(root, "bin", "controlplane", "k8s-v1.2.3-etcd-v3.4.5"),
		KWOK: filepath.Join(root, "bin", "controlplane", "kwok-v0.6.7"),
	}
	if dirs != want {
		t.Errorf("FindControlPlane = %+v, want %+v", dirs, want)
	}
	write("hack/controlplane/kwok/go.mod", "module y\n")
	if _, err := FindControlPlane(root); err == nil {
		t.Error("FindControlPlane without a pinned kwok succeeded")
	}
}
