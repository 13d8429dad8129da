package localenv

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// configDir is the source tree's config/, which `make deploy` installs.
const configDir = "../../config"

// TestOperatorRBACObjects checks that the environment applies config/rbac's ClusterRole under
// a name of its own, with the same rules.
func TestOperatorRBACObjects(t *testing.T) {
	objs, err := OperatorRBACObjects(filepath.Join(configDir, "rbac"))
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := readObjects(filepath.Join(configDir, "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || len(shipped) != 1 {
		t.Fatalf("%d objects applied from %d in config/rbac/role.yaml, want 1 of 1",
			len(objs), len(shipped))
	}
	got, want := objs[0], shipped[0]
	if got.GetKind() != "ClusterRole" || got.GetName() != "raykube-local-operator" {
		t.Errorf("applied %s %s, want ClusterRole raykube-local-operator",
			got.GetKind(), got.GetName())
	}
	if diff := cmp.Diff(want.Object["rules"], got.Object["rules"]); diff != "" {
		t.Errorf("rules differ from config/rbac/role.yaml (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{managedByLabel: managedByValue},
		got.GetLabels()); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}

// TestOperatorRBACNamesAreTheEnvironmentsOwn checks that no cluster-wide RBAC object of
// config/ (what `make deploy` applies and `make undeploy` deletes) has the name of one the
// environment creates for its own operator.
func TestOperatorRBACNamesAreTheEnvironmentsOwn(t *testing.T) {
	objs, err := OperatorRBACObjects(filepath.Join(configDir, "rbac"))
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{"ClusterRoleBinding/" + OperatorBinding: true}
	for _, obj := range objs {
		own[obj.GetKind()+"/"+obj.GetName()] = true
	}

	var checked int
	err = filepath.WalkDir(configDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		installed, err := readObjects(path)
		if err != nil {
			return err
		}
		for _, obj := range installed {
			key := obj.GetKind() + "/" + obj.GetName()
			if strings.HasPrefix(obj.GetKind(), "ClusterRole") {
				checked++
			}
			if own[key] {
				t.Errorf("%s in %s has the name of the environment's own %s", key, path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 4 {
		t.Errorf("found %d ClusterRoles and ClusterRoleBindings in %s, want the 4 of "+
			"config/default at least", checked, configDir)
	}
}
