// Package raycluster reconciles RayCluster resources: it keeps one head pod, the worker pods of
// every group and the services in front of them in line with the spec, and reports what it
// observes in the status.
//
// The status is computed by ComputeStatus, a pure function of the cluster, the pods and head
// Service seen in the informer cache, and the errors of the current reconcile. It never calls
// the API server or reads the clock, so the whole state table can be tested without a cluster.
package raycluster
