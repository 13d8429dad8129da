package helm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/operator"
)

// options are the settings of a raykube program: its flags and their checks.
type options interface {
	BindFlags(fs *pflag.FlagSet)
	Validate() error
}

// parseArgs parses args with a program's own flags and checks them as the program does at
// start-up.
func parseArgs(program string, opts options, args []string) error {
	fs := pflag.NewFlagSet(program, pflag.ContinueOnError)
	opts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return opts.Validate()
}

// parseOperatorArgs parses raykube-operator's arguments.
func parseOperatorArgs(args []string) (operator.Options, error) {
	opts := operator.DefaultOptions()
	err := parseArgs("raykube-operator", &opts, args)
	return opts, err
}

// parseAPIServerArgs parses raykube-apiserver's arguments.
func parseAPIServerArgs(args []string) (apiserver.Options, error) {
	opts := apiserver.DefaultOptions()
	err := parseArgs("raykube-apiserver", &opts, args)
	return opts, err
}

// Every rendered container's arguments are accepted by the program it runs: a flag that does
// not exist, or a value the program refuses, fails here.
func TestContainerArgsParse(t *testing.T) {
	for name, vs := range valueSets {
		t.Run(name, func(t *testing.T) {
			for _, dep := range renderedDeployments(t, vs) {
				for _, c := range dep.Spec.Template.Spec.Containers {
					var err error
					switch strings.Join(c.Command, " ") {
					case "/raykube-operator":
						_, err = parseOperatorArgs(c.Args)
					case "/raykube-apiserver":
						_, err = parseAPIServerArgs(c.Args)
					default:
						t.Fatalf("Deployment %s: container %s runs %q, not a raykube program",
							dep.Name, c.Name, c.Command)
					}
					if err != nil {
						t.Errorf("Deployment %s: container %s: args %q: %v", dep.Name, c.Name, c.Args, err)
					}
				}
			}
		})
	}
}

// What the parsed options hold for the settings the chart maps to flags.
func TestContainerArgsMeaning(t *testing.T) {
	type operatorWant struct {
		LeaderElect                bool
		WatchNamespaces            []string
		MetricsAddr, LogFormat     string
		Verbosity, Concurrency     int
		ClusterDomain              string
		KubeAPIQPS                 float32
		KubeAPIBurst, PodsAtOnce   int
		HealthProbeAddr, PprofAddr string
	}
	defaults := operatorWant{LeaderElect: true, MetricsAddr: ":8080", LogFormat: "json",
		Concurrency: 10, ClusterDomain: "cluster.local", KubeAPIQPS: 100, KubeAPIBurst: 200,
		PodsAtOnce: 20, HealthProbeAddr: ":8082"}
	tests := map[string]func(w *operatorWant){
		"defaults":         func(*operatorWant) {},
		"single-namespace": func(w *operatorWant) { w.WatchNamespaces = []string{releaseNamespace} },
		"watch-namespaces": func(w *operatorWant) { w.WatchNamespaces = []string{"team-a", "team-b"} },
		"metrics-off":      func(w *operatorWant) { w.MetricsAddr, w.LeaderElect = "0", false },
		"custom-image": func(w *operatorWant) {
			w.LogFormat, w.Verbosity, w.Concurrency = "console", 2, 4
			w.KubeAPIQPS, w.KubeAPIBurst = 20, 40
			w.ClusterDomain, w.PodsAtOnce = "cluster.example", 5
		},
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			objs := decodeManifest(t, mustRender(t, valueSets[name]).Manifest)
			var dep appsv1.Deployment
			typed(t, find(t, objs, "Deployment raykube-system/raykube-operator"), &dep)
			opts, err := parseOperatorArgs(dep.Spec.Template.Spec.Containers[0].Args)
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			edit(&want)
			got := operatorWant{LeaderElect: opts.LeaderElect, WatchNamespaces: opts.WatchNamespaces,
				MetricsAddr: opts.MetricsAddr, LogFormat: opts.LogFormat, Verbosity: opts.Verbosity,
				Concurrency: opts.ReconcileConcurrency, ClusterDomain: opts.ClusterDomain,
				KubeAPIQPS: opts.KubeAPIQPS, KubeAPIBurst: opts.KubeAPIBurst,
				PodsAtOnce: opts.PodCreateConcurrency, HealthProbeAddr: opts.HealthProbeAddr,
				PprofAddr: opts.PprofAddr}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("operator options (-want +got):\n%s", diff)
			}
		})
	}

	objs := decodeManifest(t, mustRender(t, valueSets["apiserver"]).Manifest)
	var dep appsv1.Deployment
	typed(t, find(t, objs, "Deployment raykube-system/raykube-operator-apiserver"), &dep)
	opts, err := parseAPIServerArgs(dep.Spec.Template.Spec.Containers[0].Args)
	if err != nil {
		t.Fatal(err)
	}
	if opts.HTTPAddr != ":8888" || opts.GRPCAddr != ":8887" || opts.Auth != apiserver.AuthKubernetes ||
		opts.AllowInsecureRemote {
		t.Errorf("API server options: http %q, grpc %q, auth %q, allowInsecureRemote %v; want :8888, "+
			":8887, kubernetes, false", opts.HTTPAddr, opts.GRPCAddr, opts.Auth, opts.AllowInsecureRemote)
	}
}

// The parsers refuse what the programs refuse, so that the tests above mean something.
func TestArgsParsersRefuse(t *testing.T) {
	if _, err := parseOperatorArgs([]string{"--watch-namespace=a"}); err == nil {
		t.Error("the operator's parser accepted --watch-namespace, a flag it does not have")
	}
	if _, err := parseOperatorArgs([]string{"--log-format=text"}); err == nil {
		t.Error("the operator's parser accepted --log-format=text")
	}
	if _, err := parseAPIServerArgs([]string{"--http-addr=:8888", "--auth=none"}); err == nil {
		t.Error("the API server's parser accepted --auth=none on every address")
	}
	if _, err := parseAPIServerArgs([]string{"--port=8888"}); err == nil {
		t.Error("the API server's parser accepted --port, a flag it does not have")
	}
}
