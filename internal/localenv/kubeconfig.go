package localenv

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// contextName names the cluster, user and context of the kubeconfigs.
const contextName = "raykube-local"

// kubeconfigFor returns a kubeconfig that reaches server with the client certificate certName
// of the state directory's PKI, certificates embedded so that the file stands alone.
func kubeconfigFor(l layout, server, certName string) (*clientcmdapi.Config, error) {
	ca, err := os.ReadFile(l.pki("ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("reading the CA: %w", err)
	}
	cert, err := os.ReadFile(l.pki(certName + ".crt"))
	if err != nil {
		return nil, fmt.Errorf("reading the %s certificate: %w", certName, err)
	}
	key, err := os.ReadFile(l.pki(certName + ".key"))
	if err != nil {
		return nil, fmt.Errorf("reading the %s key: %w", certName, err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[contextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos[contextName] = &clientcmdapi.AuthInfo{ClientCertificateData: cert,
		ClientKeyData: key}
	cfg.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName}
	cfg.CurrentContext = contextName
	return cfg, nil
}

// writeKubeconfigs writes the administrator's kubeconfig and one for each component that talks
// to the API server.
func writeKubeconfigs(l layout, server string) error {
	for _, name := range []string{"admin", "kube-controller-manager", "kube-scheduler", "kwok",
		"operator"} {
		cfg, err := kubeconfigFor(l, server, name)
		if err != nil {
			return err
		}
		if err := clientcmd.WriteToFile(*cfg, l.kubeconfig(name)); err != nil {
			return fmt.Errorf("writing the kubeconfig of %s: %w", name, err)
		}
	}
	return nil
}

// restConfig reads a kubeconfig for Go clients.
func restConfig(path string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig %s: %w", path, err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}
