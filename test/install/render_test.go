//go:build integration

package install

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/listenaddr"
	"github.com/raykube/raykube/internal/operator"
)

// operatorOnly is what config/operator-only renders, in kustomize's order.
var operatorOnly = []string{
	"Namespace raykube-system",
	"CustomResourceDefinition rayclusters.ray.io",
	"ServiceAccount raykube-system/raykube-operator",
	"Role raykube-system/raykube-operator-leader-election",
	"ClusterRole raykube-operator",
	"RoleBinding raykube-system/raykube-operator-leader-election",
	"ClusterRoleBinding raykube-operator",
	"Service raykube-system/raykube-operator-metrics",
	"Deployment raykube-system/raykube-operator",
}

// withAPIServer is what config/default renders, in kustomize's order.
var withAPIServer = []string{
	"Namespace raykube-system",
	"CustomResourceDefinition rayclusters.ray.io",
	"ServiceAccount raykube-system/raykube-apiserver",
	"ServiceAccount raykube-system/raykube-operator",
	"Role raykube-system/raykube-operator-leader-election",
	"ClusterRole raykube-apiserver",
	"ClusterRole raykube-operator",
	"RoleBinding raykube-system/raykube-operator-leader-election",
	"ClusterRoleBinding raykube-apiserver",
	"ClusterRoleBinding raykube-operator",
	"Service raykube-system/raykube-apiserver",
	"Service raykube-system/raykube-operator-metrics",
	"Deployment raykube-system/raykube-apiserver",
	"Deployment raykube-system/raykube-operator",
}

// TestRenderedObjects checks the exact objects each kustomization renders, and that every one
// carries the label that finds raykube's objects.
func TestRenderedObjects(t *testing.T) {
	for dir, want := range map[string][]string{"default": withAPIServer,
		"operator-only": operatorOnly} {
		t.Run(dir, func(t *testing.T) {
			var got []string
			for _, obj := range render(t, dir) {
				id := obj.GetName()
				if ns := obj.GetNamespace(); ns != "" {
					id = ns + "/" + id
				}
				got = append(got, obj.GetKind()+" "+id)
				if obj.GetLabels()["app.kubernetes.io/part-of"] != "raykube" {
					t.Errorf("%s %s lacks the label app.kubernetes.io/part-of=raykube",
						obj.GetKind(), id)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config/%s renders (-want +got):\n%s", dir, diff)
			}
		})
	}
}

// parseArgs parses a container's arguments as a program's main does: its options' flags, no
// positional arguments, then the options' own validation. A misspelled, removed or invalid
// flag fails.
func parseArgs(name string, args []string, bind func(*pflag.FlagSet), validate func() error) error {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return validate()
}

// parseDeploymentArgs parses the arguments of a Deployment's container into the options that
// bind and validate belong to.
func parseDeploymentArgs(t *testing.T, name string, bind func(*pflag.FlagSet),
	validate func() error) {
	t.Helper()
	_, c := deployment(t, name)
	if err := parseArgs(name, c.Args, bind, validate); err != nil {
		t.Fatalf("the arguments of Deployment %s %q: %v", name, c.Args, err)
	}
}

// operatorOptions are the options the operator's Deployment starts it with.
func operatorOptions(t *testing.T) operator.Options {
	t.Helper()
	opts := operator.DefaultOptions()
	parseDeploymentArgs(t, operatorName, opts.BindFlags, opts.Validate)
	return opts
}

// apiServerOptions are the options the API server's Deployment starts it with.
func apiServerOptions(t *testing.T) apiserver.Options {
	t.Helper()
	opts := apiserver.DefaultOptions()
	parseDeploymentArgs(t, apiName, opts.BindFlags, opts.Validate)
	return opts
}

// TestOperatorDeployment checks the operator's arguments with its own flags, and that the
// ports they name are the container's, its probes' and its metrics Service's.
func TestOperatorDeployment(t *testing.T) {
	opts := operatorOptions(t)
	d, c := deployment(t, operatorName)
	if !opts.LeaderElect {
		t.Error("the operator runs without leader election")
	}
	if opts.LeaderElectionNamespace != "" || len(opts.WatchNamespaces) > 0 {
		t.Errorf("leader election namespace %q, watched namespaces %q: want the pod's own "+
			"namespace and every namespace", opts.LeaderElectionNamespace, opts.WatchNamespaces)
	}
	checkPort(t, c, "metrics", opts.MetricsAddr)
	checkPort(t, c, "health", opts.HealthProbeAddr)
	checkProbe(t, "liveness", c.LivenessProbe, "/healthz", "health")
	checkProbe(t, "readiness", c.ReadinessProbe, "/readyz", "health")

	svc := &corev1.Service{}
	typed(t, render(t, "default"), "Service", "raykube-operator-metrics", svc)
	checkService(t, svc, d.Spec.Template.Labels, c, map[string]int32{"metrics": 0})
	checkContainer(t, d.Spec.Template.Spec, c, operatorName)
}

// TestAPIServerDeployment checks the API server's arguments with its own flags: Kubernetes
// authentication, every interface, the ports KubeRay's API server is known at, and that its
// probes and Service use them.
func TestAPIServerDeployment(t *testing.T) {
	opts := apiServerOptions(t)
	d, c := deployment(t, apiName)
	if opts.Auth != apiserver.AuthKubernetes || opts.AllowInsecureRemote {
		t.Errorf("--auth=%s, --allow-insecure-remote=%v: want kubernetes and false", opts.Auth,
			opts.AllowInsecureRemote)
	}
	for _, addr := range []string{opts.HTTPAddr, opts.GRPCAddr} {
		if listenaddr.IsLoopback(addr) {
			t.Errorf("the API server listens on %s: other pods cannot reach it", addr)
		}
	}
	checkPort(t, c, "http", opts.HTTPAddr)
	checkPort(t, c, "grpc", opts.GRPCAddr)
	checkProbe(t, "liveness", c.LivenessProbe, "/healthz", "http")
	checkProbe(t, "readiness", c.ReadinessProbe, "/healthz", "http")

	svc := &corev1.Service{}
	typed(t, render(t, "default"), "Service", apiName, svc)
	checkService(t, svc, d.Spec.Template.Labels, c, map[string]int32{"http": 31888, "grpc": 31887})
	if svc.Spec.Type != corev1.ServiceTypeNodePort {
		t.Errorf("Service %s is a %s, want a NodePort as KubeRay's", apiName, svc.Spec.Type)
	}
	for _, p := range svc.Spec.Ports {
		if want := map[string]int32{"http": 8888, "grpc": 8887}[p.Name]; p.Port != want {
			t.Errorf("Service port %s is %d, want %d", p.Name, p.Port, want)
		}
	}
	checkContainer(t, d.Spec.Template.Spec, c, apiName)
}

// checkPort checks that a listen address's port is the container's port of that name.
func checkPort(t *testing.T, c corev1.Container, name, addr string) {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Errorf("address %q of port %s: %v", addr, name, err)
		return
	}
	for _, p := range c.Ports {
		if p.Name == name {
			if fmt.Sprint(p.ContainerPort) != port {
				t.Errorf("container port %s is %d, but the program listens on %s", name,
					p.ContainerPort, addr)
			}
			return
		}
	}
	t.Errorf("container %s has no port %s (the program listens on %s)", c.Name, name, addr)
}

func checkProbe(t *testing.T, what string, p *corev1.Probe, path, port string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("no HTTP %s probe", what)
		return
	}
	if p.HTTPGet.Path != path || p.HTTPGet.Port != intstr.FromString(port) {
		t.Errorf("%s probe on %s port %s, want %s port %s", what, p.HTTPGet.Path,
			p.HTTPGet.Port.String(), path, port)
	}
}

// checkService checks that a Service selects the Deployment's pods and sends each of its
// ports, by name, to the container port of that name, with the given node ports (0 for none).
func checkService(t *testing.T, svc *corev1.Service, podLabels map[string]string,
	c corev1.Container, nodePorts map[string]int32) {
	t.Helper()
	for k, v := range svc.Spec.Selector {
		if podLabels[k] != v {
			t.Errorf("Service %s selects %s=%s, which the pods do not carry", svc.Name, k, v)
		}
	}
	containerPorts := map[string]bool{}
	for _, p := range c.Ports {
		containerPorts[p.Name] = true
	}
	var got []string
	for _, p := range svc.Spec.Ports {
		got = append(got, p.Name)
		if !containerPorts[p.Name] {
			t.Errorf("Service %s port %s: the container has no port of that name", svc.Name,
				p.Name)
		}
		if p.TargetPort != intstr.FromString(p.Name) || p.NodePort != nodePorts[p.Name] {
			t.Errorf("Service %s port %s: target %s, node port %d; want target %s, node "+
				"port %d", svc.Name, p.Name, p.TargetPort.String(), p.NodePort, p.Name,
				nodePorts[p.Name])
		}
	}
	if len(got) != len(nodePorts) {
		t.Errorf("Service %s has ports %q, want %d", svc.Name, got, len(nodePorts))
	}
}

// checkContainer checks what the Pod Security Standard does not require but the image and a
// good neighbour do: the program the image holds, a read-only root file system, the image name
// kustomize sets, and requests and limits.
func checkContainer(t *testing.T, pod corev1.PodSpec, c corev1.Container, program string) {
	t.Helper()
	if diff := cmp.Diff([]string{"/" + program}, c.Command); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	dockerfile, err := os.ReadFile(filepath.Join(env.RepoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dockerfile), "-o /out/"+program+" ") {
		t.Errorf("the Dockerfile does not build /out/%s", program)
	}
	if c.Image != "raykube:latest" {
		t.Errorf("image %q, want raykube:latest (the images field of config/default)", c.Image)
	}
	sc := c.SecurityContext
	if sc == nil || !ptr.Deref(sc.ReadOnlyRootFilesystem, false) {
		t.Error("the root file system is writable")
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsUser == nil ||
		*pod.SecurityContext.RunAsUser == 0 {
		t.Error("the pod names no non-root user (the image's is 65532)")
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("no %s request", r)
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			t.Errorf("no %s limit", r)
		}
	}
}
