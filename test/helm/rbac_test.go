package helm

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/raykube/raykube/internal/localenv"
)

// Generated files of config/ that the chart carries copies of (`make manifests` writes them).
var generatedCopies = map[string]string{
	"crds/ray.io_rayclusters.yaml":         "config/crd/bases/ray.io_rayclusters.yaml",
	"files/rbac/operator-role.yaml":        "config/rbac/role.yaml",
	"files/rbac/apiserver-role.yaml":       apiserverRoleFile,
	"files/rbac/leader-election-role.yaml": leaderElectionRoleFile,
}

// The API server's generated ClusterRole, and the operator's leader-election Role (with its
// RoleBinding after it).
const (
	apiserverRoleFile      = "config/apiserver/role.yaml"
	leaderElectionRoleFile = "config/manager/leader_election_role.yaml"
)

// The chart's copies are the generated files, byte for byte.
func TestChartCopiesAreCurrent(t *testing.T) {
	for inChart, generated := range generatedCopies {
		got := readRepoFile(t, "charts", "raykube-operator", filepath.FromSlash(inChart))
		want := readRepoFile(t, filepath.FromSlash(generated))
		if !bytes.Equal(got, want) {
			t.Errorf("charts/raykube-operator/%s differs from %s: run `make manifests`", inChart, generated)
		}
	}
}

// generatedRules reads the rules of the role that is the first document of a file.
func generatedRules(t *testing.T, path string) []rbacv1.PolicyRule {
	t.Helper()
	var role rbacv1.ClusterRole
	docs := decodeManifest(t, string(readRepoFile(t, filepath.FromSlash(path))))
	if len(docs) == 0 || !strings.HasSuffix(docs[0].GetKind(), "Role") {
		t.Fatalf("%s does not start with a role", path)
	}
	data, err := yaml.Marshal(docs[0].Object)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, &role); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(role.Rules) == 0 {
		t.Fatalf("%s has no rules", path)
	}
	return role.Rules
}

// Every role the chart renders holds exactly the rules of config/.
func TestChartRBACIsGenerated(t *testing.T) {
	operatorRules := generatedRules(t, "config/rbac/role.yaml")
	apiserverRules := generatedRules(t, apiserverRoleFile)
	leaseRules := generatedRules(t, leaderElectionRoleFile)

	tests := map[string]map[string][]rbacv1.PolicyRule{
		"defaults": {
			"ClusterRole raykube-operator":                         operatorRules,
			"Role raykube-system/raykube-operator-leader-election": leaseRules,
		},
		"apiserver": {
			"ClusterRole raykube-operator":           operatorRules,
			"ClusterRole raykube-operator-apiserver": apiserverRules,
		},
		"single-namespace": {"Role raykube-system/raykube-operator": operatorRules},
		"watch-namespaces": {
			"Role team-a/raykube-operator":                         operatorRules,
			"Role team-b/raykube-operator":                         operatorRules,
			"Role raykube-system/raykube-operator-leader-election": leaseRules,
		},
	}
	for name, roles := range tests {
		t.Run(name, func(t *testing.T) {
			objs := decodeManifest(t, mustRender(t, valueSets[name]).Manifest)
			for key, want := range roles {
				u := find(t, objs, key)
				var got []rbacv1.PolicyRule
				switch u.GetKind() {
				case "ClusterRole":
					var role rbacv1.ClusterRole
					typed(t, u, &role)
					got = role.Rules
				case "Role":
					var role rbacv1.Role
					typed(t, u, &role)
					got = role.Rules
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s rules (-generated +chart):\n%s", key, diff)
				}
			}
		})
	}
}

// No cluster-wide object of any rendering has the name of one the local environment
// (raykube local up) creates for its own operator, so that the chart installs on the local
// environment and its uninstall leaves the environment's operator its permissions.
func TestChartLeavesTheLocalEnvironmentsRBACAlone(t *testing.T) {
	local, err := localenv.OperatorRBACObjects(filepath.Join(repoRoot(t), "config", "rbac"))
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{"ClusterRoleBinding " + localenv.OperatorBinding: true}
	for _, obj := range local {
		own[objectKey(obj)] = true
	}
	for name, vs := range valueSets {
		for _, obj := range decodeManifest(t, mustRender(t, vs).Manifest) {
			if key := objectKey(obj); own[key] {
				t.Errorf("value set %s renders %s, an object of the local environment", name, key)
			}
		}
	}
}
