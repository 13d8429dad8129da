package localenv

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// Addresses of the simulated cluster.
const (
	serviceCIDR   = "10.96.0.0/16"
	nodePortRange = "30000-32767"
	saIssuer      = "https://kubernetes.default.svc.cluster.local"
	// clientQPS and clientBurst raise the controller manager's and scheduler's request rate
	// (defaults 20/30 and 50/100) so that many pods are scheduled and collected quickly.
	clientQPS   = 100
	clientBurst = 200
)

// apiServiceIP is the address of the kubernetes Service: the first of serviceCIDR.
var apiServiceIP = net.IPv4(10, 96, 0, 1)

// etcdArgs runs a single-member etcd on loopback without TLS (nothing but the local API server
// reaches it) and without fsync (its data is thrown away at the next `up`).
func etcdArgs(l layout, p Ports) []string {
	client := fmt.Sprintf("http://127.0.0.1:%d", p.Etcd)
	peer := fmt.Sprintf("http://127.0.0.1:%d", p.EtcdPeer)
	return []string{
		"--name=default",
		"--data-dir=" + l.etcdData(),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=default=" + peer,
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}
}

// apiServerArgs runs kube-apiserver on loopback only. --advertise-address is left out:
// kube-apiserver refuses a loopback one and picks the host's address itself.
func apiServerArgs(l layout, p Ports) []string {
	return []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", p.Etcd),
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.APIServer),
		"--tls-cert-file=" + l.pki("apiserver.crt"),
		"--tls-private-key-file=" + l.pki("apiserver.key"),
		"--client-ca-file=" + l.pki("ca.crt"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--service-node-port-range=" + nodePortRange,
		"--service-account-issuer=" + saIssuer,
		"--service-account-key-file=" + l.pki("sa.pub"),
		"--service-account-signing-key-file=" + l.pki("sa.key"),
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		"--cert-dir=" + l.path("pki"),
		"--profiling=false",
	}
}

// controllerManagerArgs runs every controller that is on by default (garbage collector,
// namespace, service account and tokens, replica sets, endpoints, node lifecycle...), each with
// its own service account, on loopback.
func controllerManagerArgs(l layout, p Ports) []string {
	kubeconfig := l.kubeconfig("kube-controller-manager")
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.ControllerManager),
		"--tls-cert-file=" + l.pki("serving.crt"),
		"--tls-private-key-file=" + l.pki("serving.key"),
		"--service-account-private-key-file=" + l.pki("sa.key"),
		"--root-ca-file=" + l.pki("ca.crt"),
		"--cluster-signing-cert-file=" + l.pki("ca.crt"),
		"--cluster-signing-key-file=" + l.pki("ca.key"),
		"--use-service-account-credentials=true",
		"--controllers=*",
		"--service-cluster-ip-range=" + serviceCIDR,
		"--leader-elect=false",
		"--kube-api-qps=" + strconv.Itoa(clientQPS),
		"--kube-api-burst=" + strconv.Itoa(clientBurst),
	}
}

// schedulerConfig is the scheduler's configuration file: its client connection, with a raised
// request rate (the --kube-api-qps flags are deprecated for the scheduler), and no leader
// election.
func schedulerConfig(l layout) string {
	return fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: %d
  burst: %d
leaderElection:
  leaderElect: false
`, l.kubeconfig("kube-scheduler"), clientQPS, clientBurst)
}

func schedulerArgs(l layout, p Ports) []string {
	kubeconfig := l.kubeconfig("kube-scheduler")
	return []string{
		"--config=" + l.configFile("scheduler.yaml"),
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.Scheduler),
		"--tls-cert-file=" + l.pki("serving.crt"),
		"--tls-private-key-file=" + l.pki("serving.key"),
	}
}

// operatorArgs are the flags of `raykube local operator` (and of raykube-operator): one replica
// without leader election, every endpoint on loopback.
func operatorArgs(l layout, p Ports) []string {
	return []string{
		"--kubeconfig=" + l.kubeconfig("operator"),
		"--leader-elect=false",
		fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", p.OperatorMetrics),
		fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", p.OperatorHealth),
		"--log-format=json",
	}
}

// raykubeAPIArgs are the flags of raykube's API server: loopback only, no authentication (the
// environment is one person's), and the administrator's kubeconfig.
func raykubeAPIArgs(l layout, p Ports) []string {
	return []string{
		"--kubeconfig=" + l.kubeconfig("admin"),
		fmt.Sprintf("--http-addr=127.0.0.1:%d", p.RaykubeHTTP),
		fmt.Sprintf("--grpc-addr=127.0.0.1:%d", p.RaykubeGRPC),
		"--auth=none",
		"--log-format=json",
	}
}

// writeConfigFiles writes the scheduler's and KWOK's configuration files.
func writeConfigFiles(l layout, b Binaries) error {
	err := os.WriteFile(l.configFile("scheduler.yaml"), []byte(schedulerConfig(l)), 0o644)
	if err != nil {
		return fmt.Errorf("writing the scheduler configuration: %w", err)
	}
	if err := writeKWOKConfig(l.configFile("kwok.yaml"), b.stagesDir()); err != nil {
		return fmt.Errorf("writing the kwok configuration: %w", err)
	}
	return nil
}
