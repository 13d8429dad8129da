// Package sourcetree finds the raykube source tree and the control-plane programs that
// `make controlplane` builds into it for the versions pinned under hack/controlplane.
package sourcetree

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// modulePath is the module the root's go.mod declares.
const modulePath = "github.com/raykube/raykube"

// FindRoot returns the nearest directory at or above one of starts, tried in order, whose go.mod
// declares the raykube module; false when there is none.
func FindRoot(starts ...string) (string, bool) {
	for _, dir := range starts {
		for {
			data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && modfile.ModulePath(data) == modulePath {
				return dir, true
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", false
}

// ControlPlaneDirs are where `make controlplane` puts the programs of the pinned versions.
type ControlPlaneDirs struct {
	// K8s holds etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl.
	K8s string
	// KWOK holds kwok and its stage files.
	KWOK string
}

// FindControlPlane returns the control-plane directories of the source tree at root, named after
// the versions pinned in hack/controlplane/go.mod and hack/controlplane/kwok/go.mod.
func FindControlPlane(root string) (ControlPlaneDirs, error) {
	gomod := filepath.Join(root, "hack", "controlplane", "go.mod")
	k8s, err := pinnedVersion(gomod, "k8s.io/kubernetes")
	if err != nil {
		return ControlPlaneDirs{}, err
	}
	etcd, err := pinnedVersion(gomod, "go.etcd.io/etcd/server/v3")
	if err != nil {
		return ControlPlaneDirs{}, err
	}
	kwok, err := pinnedVersion(filepath.Join(root, "hack", "controlplane", "kwok", "go.mod"),
		"sigs.k8s.io/kwok")
	if err != nil {
		return ControlPlaneDirs{}, err
	}
	bin := filepath.Join(root, "bin", "controlplane")
	return ControlPlaneDirs{
		K8s:  filepath.Join(bin, "k8s-"+k8s+"-etcd-"+etcd),
		KWOK: filepath.Join(bin, "kwok-"+kwok),
	}, nil
}

// pinnedVersion is the version of module that a go.mod requires.
func pinnedVersion(gomod, module string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("reading the pinned control-plane versions: %w", err)
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return "", fmt.Errorf("parsing %s: %w", gomod, err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version, nil
		}
	}
	return "", fmt.Errorf("%s does not pin %s", gomod, module)
}
