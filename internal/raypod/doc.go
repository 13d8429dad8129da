// Package raypod builds the Kubernetes objects of a Ray cluster from its spec: pods, services,
// ingress and autoscaler RBAC.
//
// Every function here is pure: it reads the RayCluster and the operator-wide Options and
// returns new objects, never calling the API server, reading the environment or the clock, and
// never modifying the RayCluster it is given. The controller decides when each object is needed
// (see the Enabled and Needed predicates) and creates what these functions return.
//
// Every object built here carries a controller owner reference to its RayCluster and the
// cluster's namespace, so deleting the cluster deletes them.
package raypod
