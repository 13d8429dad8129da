package localenv

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func TestAPIServerArgs(t *testing.T) {
	l := layout{dir: "/state"}
	args := apiServerArgs(l, Ports{Etcd: 2379, APIServer: 6443})
	for _, want := range []string{
		"--bind-address=127.0.0.1",
		"--secure-port=6443",
		"--etcd-servers=http://127.0.0.1:2379",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--service-node-port-range=30000-32767",
		"--authorization-mode=Node,RBAC",
		"--client-ca-file=/state/pki/ca.crt",
		"--service-account-signing-key-file=/state/pki/sa.key",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("kube-apiserver args lack %s", want)
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--advertise-address") {
			t.Errorf("kube-apiserver refuses a loopback %s; leave it out", a)
		}
	}
}

func TestComponentsListenOnLoopbackOnly(t *testing.T) {
	l := layout{dir: "/state"}
	p := Ports{Etcd: 1, EtcdPeer: 2, APIServer: 3, ControllerManager: 4, Scheduler: 5, KWOK: 6,
		OperatorMetrics: 7, OperatorHealth: 8}
	all := [][]string{etcdArgs(l, p), apiServerArgs(l, p), controllerManagerArgs(l, p),
		schedulerArgs(l, p), kwokArgs(l, p), operatorArgs(l, p)}
	for _, args := range all {
		for _, a := range args {
			if strings.Contains(a, "0.0.0.0") || strings.Contains(a, "localhost:") {
				t.Errorf("%s does not bind to 127.0.0.1", a)
			}
		}
	}
	for _, want := range []string{"--bind-address=127.0.0.1", "--leader-elect=false",
		"--use-service-account-credentials=true", "--controllers=*", "--kube-api-qps=100",
		"--kube-api-burst=200", "--root-ca-file=/state/pki/ca.crt"} {
		if !slices.Contains(controllerManagerArgs(l, p), want) {
			t.Errorf("kube-controller-manager args lack %s", want)
		}
	}
}

func TestSchedulerConfig(t *testing.T) {
	var cfg struct {
		APIVersion       string `json:"apiVersion"`
		Kind             string `json:"kind"`
		ClientConnection struct {
			Kubeconfig string `json:"kubeconfig"`
			QPS        int    `json:"qps"`
			Burst      int    `json:"burst"`
		} `json:"clientConnection"`
		LeaderElection struct {
			LeaderElect bool `json:"leaderElect"`
		} `json:"leaderElection"`
	}
	if err := yaml.UnmarshalStrict([]byte(schedulerConfig(layout{dir: "/s"})), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Kind != "KubeSchedulerConfiguration" || cfg.ClientConnection.QPS != 100 ||
		cfg.ClientConnection.Burst != 200 || cfg.LeaderElection.LeaderElect ||
		cfg.ClientConnection.Kubeconfig != "/s/kubeconfigs/kube-scheduler.kubeconfig" {
		t.Errorf("scheduler configuration = %+v", cfg)
	}
}

func TestKWOKConfig(t *testing.T) {
	stages := t.TempDir()
	files := map[string]string{
		"pod-ready.yaml": "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\n" +
			"metadata:\n  name: pod-ready\n",
		"node-initialize.yaml": "---\napiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\n" +
			"metadata:\n  name: node-initialize",
		"README.md": "not a stage",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(stages, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "kwok.yaml")
	if err := writeKWOKConfig(path, stages); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, doc := range strings.Split(string(data), "---\n") {
		var obj struct {
			Kind     string         `json:"kind"`
			Metadata map[string]any `json:"metadata"`
			Options  map[string]any `json:"options"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("document %q: %v", doc, err)
		}
		kinds = append(kinds, obj.Kind+"/"+nameOf(obj.Metadata))
		if obj.Kind == "KwokConfiguration" {
			if obj.Options["nodeLeaseDurationSeconds"] != float64(40) ||
				obj.Options["nodeLeaseParallelism"] == nil ||
				obj.Options["manageNodesWithAnnotationSelector"] != "kwok.x-k8s.io/node=fake" {
				t.Errorf("KwokConfiguration options = %v", obj.Options)
			}
		}
	}
	want := []string{"KwokConfiguration/", "Stage/node-initialize", "Stage/pod-ready"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	args := kwokArgs(layout{dir: "/s"}, Ports{KWOK: 9})
	if !slices.Contains(args, "--node-lease-duration-seconds=40") {
		t.Error("kwok args lack --node-lease-duration-seconds")
	}
}

func nameOf(meta map[string]any) string {
	name, _ := meta["name"].(string)
	return name
}
