package raypod

const (
	// DefaultOperatorName is the value of the app.kubernetes.io/created-by label when
	// Options.OperatorName is empty.
	DefaultOperatorName = "kuberay-operator"
	// DefaultClusterDomain is the DNS domain of the Kubernetes cluster when
	// Options.ClusterDomain is empty.
	DefaultClusterDomain = "cluster.local"
)

// Options are the operator-wide settings the builders depend on. They are read once at
// start-up; the zero value gives the defaults.
type Options struct {
	// OperatorName is written in the app.kubernetes.io/created-by label of every object.
	OperatorName string
	// ClusterDomain is the DNS domain of the Kubernetes cluster, used in the head Service's
	// fully qualified name that workers connect to.
	ClusterDomain string
}

func (o Options) operatorName() string {
	if o.OperatorName == "" {
		return DefaultOperatorName
	}
	return o.OperatorName
}

func (o Options) clusterDomain() string {
	if o.ClusterDomain == "" {
		return DefaultClusterDomain
	}
	return o.ClusterDomain
}
