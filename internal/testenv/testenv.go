// Package testenv starts a real Kubernetes API server and etcd (controller-runtime's envtest)
// with raykube's CRDs installed, for integration tests of any package.
//
// The binaries are the ones `make controlplane` builds into bin/controlplane/; KUBEBUILDER_ASSETS
// points elsewhere when set. No binary is downloaded.
package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	rayv1alpha1 "github.com/raykube/raykube/api/ray/v1alpha1"
	"github.com/raykube/raykube/internal/sourcetree"
)

// Env is a running API server with the CRDs installed.
type Env struct {
	// Config reaches the API server as an administrator.
	Config *rest.Config
	// Client is a client with Scheme, not cached.
	Client client.Client
	// Scheme knows the Kubernetes built-in types and both RayCluster versions.
	Scheme *runtime.Scheme
	// AssetsDir holds the kube-apiserver, etcd and kubectl binaries in use.
	AssetsDir string
	// RepoRoot is the root of the raykube source tree.
	RepoRoot string

	env   *envtest.Environment
	admin *envtest.AuthenticatedUser
}

// NewScheme returns a scheme with the Kubernetes built-in types and raykube's API types.
func NewScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, rayv1.AddToScheme, rayv1alpha1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(fmt.Sprintf("building scheme: %v", err))
		}
	}
	return s
}

// Start starts etcd and kube-apiserver and installs the CRDs of config/crd/bases.
func Start() (*Env, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	assets, err := AssetsDir(root)
	if err != nil {
		return nil, err
	}
	scheme := NewScheme()
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		CRDInstallOptions:     envtest.CRDInstallOptions{Scheme: scheme},
		Scheme:                scheme,
		// A loaded 2-core machine (CI building while tests run) can take longer than envtest's
		// default 20 s to start kube-apiserver.
		ControlPlaneStartTimeout: 2 * time.Minute,
		ControlPlaneStopTimeout:  time.Minute,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver and etcd from %s: %w", assets, err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("creating client: %w", err), env.Stop())
	}
	admin, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("adding the admin user: %w", err), env.Stop())
	}
	e := &Env{Config: cfg, Client: c, Scheme: scheme, AssetsDir: assets, RepoRoot: root,
		env: env, admin: admin}
	e.stopOnSignal()
	return e, nil
}

// stopOnSignal stops the API server and etcd when the test process is interrupted: they are
// separate processes and would otherwise outlive it.
func (e *Env) stopOnSignal() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "testenv: %v: stopping kube-apiserver and etcd\n", sig)
		_ = e.env.Stop()
		os.Exit(130)
	}()
}

// Stop stops the API server and etcd.
func (e *Env) Stop() error {
	return e.env.Stop()
}

// RepoRoot finds the root of the source tree: the nearest directory above the working
// directory whose go.mod declares the raykube module.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, ok := sourcetree.FindRoot(dir)
	if !ok {
		return "", errors.New("not inside the raykube source tree " +
			"(no go.mod of github.com/raykube/raykube above the working directory)")
	}
	return root, nil
}

// AssetsDir returns the directory that holds kube-apiserver and etcd: KUBEBUILDER_ASSETS when
// set, else the directory `make controlplane` builds for the versions pinned in
// hack/controlplane/go.mod.
func AssetsDir(root string) (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	hint := "unset KUBEBUILDER_ASSETS, or point it at a directory that has it"
	if dir == "" {
		var err error
		if dir, err = ControlPlaneDir(root); err != nil {
			return "", err
		}
		hint = "run `make controlplane-envtest` (or `make controlplane`) to build it"
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("%s is missing from %s: %s", bin, dir, hint)
		}
	}
	return dir, nil
}

// ControlPlaneDir is where `make controlplane` puts the Kubernetes and etcd binaries of the
// pinned versions.
func ControlPlaneDir(root string) (string, error) {
	dirs, err := sourcetree.FindControlPlane(root)
	return dirs.K8s, err
}

// Kubectl runs the kubectl of AssetsDir against the API server as an administrator and returns
// its standard output; the error carries standard error. The kubeconfig is given in
// KUBECONFIG rather than as a flag, because kubectl looks for a plugin (kubectl-<name> on the
// PATH) only when no flag comes before the plugin's name.
func (e *Env) Kubectl(args ...string) (string, error) {
	kubeconfig, err := e.Kubeconfig()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(e.AssetsDir, "kubectl"), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("kubectl %v: %w: %s", args, err, stderr.String())
	}
	return stdout.String(), nil
}

// Kubeconfig returns the path of a kubeconfig file that reaches the API server as an
// administrator. It lives as long as the API server.
func (e *Env) Kubeconfig() (string, error) {
	k, err := e.admin.Kubectl()
	if err != nil {
		return "", err
	}
	for _, opt := range k.Opts {
		if path, ok := strings.CutPrefix(opt, "--kubeconfig="); ok {
			return path, nil
		}
	}
	return "", fmt.Errorf("envtest gave kubectl no kubeconfig (options %v)", k.Opts)
}

// SamplesDir is the directory of the KubeRay sample manifests that tests read in place:
// RAYKUBE_SAMPLES_DIR when set, else shared/samples beside the source tree.
func SamplesDir(root string) string {
	if dir := os.Getenv("RAYKUBE_SAMPLES_DIR"); dir != "" {
		return dir
	}
	return filepath.Join(filepath.Dir(root), "shared", "samples")
}
