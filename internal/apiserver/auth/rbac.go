package auth

// With --auth=kubernetes the server reviews every caller's token and permission (authenticate,
// authorize); `make manifests` writes this into the raykube-apiserver ClusterRole
// (config/apiserver/role.yaml). These are the permissions of the built-in ClusterRole
// system:auth-delegator.
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
