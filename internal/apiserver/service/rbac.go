package service

// The permissions the service's calls need, cluster-wide because a caller may name any
// namespace; `make manifests` writes them into the raykube-apiserver ClusterRole
// (config/apiserver/role.yaml).
//
// Clusters are RayClusters (CreateCluster, GetCluster, ListClusters, DeleteCluster):
// +kubebuilder:rbac:groups=ray.io,resources=rayclusters,verbs=create;get;list;delete
//
// Compute templates are ConfigMaps; CreateCluster reads the ones it names:
// +kubebuilder:rbac:groups=core,resources=configmaps,verbs=create;get;list;delete
//
// A cluster's events are the core events of its namespace about it and its pods, matched to
// pods by their metadata (withEvents):
// +kubebuilder:rbac:groups=core,resources=events;pods,verbs=list
