package localenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/raykube/raykube/internal/sourcetree"
)

// Binaries are the directories of the control-plane programs `make controlplane` builds.
type Binaries struct {
	// K8sDir holds etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl.
	K8sDir string
	// KWOKDir holds kwok and its stage definitions (stages/*.yaml).
	KWOKDir string
}

// k8sPrograms are the programs of Binaries.K8sDir that the local environment runs.
var k8sPrograms = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"}

// FindBinaries returns the directories `make controlplane` builds into for the versions pinned
// under hack/controlplane of the source tree at root.
func FindBinaries(root string) (Binaries, error) {
	dirs, err := sourcetree.FindControlPlane(root)
	if err != nil {
		return Binaries{}, err
	}
	return Binaries{K8sDir: dirs.K8s, KWOKDir: dirs.KWOK}, nil
}

// Check fails, saying how to build them, when programs or stages are missing.
func (b Binaries) Check() error {
	var missing []error
	for _, p := range k8sPrograms {
		if !executable(filepath.Join(b.K8sDir, p)) {
			missing = append(missing, fmt.Errorf("%s is missing", filepath.Join(b.K8sDir, p)))
		}
	}
	if !executable(b.kwok()) {
		missing = append(missing, fmt.Errorf("%s is missing", b.kwok()))
	}
	if stages, _ := filepath.Glob(filepath.Join(b.stagesDir(), "*.yaml")); len(stages) == 0 {
		missing = append(missing, fmt.Errorf("kwok's stages are missing from %s", b.stagesDir()))
	}
	if err := errors.Join(missing...); err != nil {
		return fmt.Errorf("%w\n`make controlplane` builds the control plane from source "+
			"(about 12 minutes the first time on a 2-core machine)", err)
	}
	return nil
}

func (b Binaries) program(name string) string { return filepath.Join(b.K8sDir, name) }
func (b Binaries) kwok() string               { return filepath.Join(b.KWOKDir, "kwok") }
func (b Binaries) stagesDir() string          { return filepath.Join(b.KWOKDir, "stages") }

// Kubectl is the path of the kubectl built with the control plane.
func (b Binaries) Kubectl() string { return b.program("kubectl") }

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// FindSourceTree returns the root of the raykube source tree that holds the control-plane
// programs and the CRDs: the nearest directory above the working directory, or else above the
// running program (bin/raykube), whose go.mod declares the raykube module.
func FindSourceTree() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	if root, ok := sourcetree.FindRoot(starts...); ok {
		return root, nil
	}
	return "", errors.New("cannot find the raykube source tree above the working directory or " +
		"the raykube program; run raykube from the source tree or give --k8s-bin-dir, " +
		"--kwok-bin-dir and --crd-dir")
}
