// Package convert turns the API server's messages into Kubernetes objects and back: a Cluster
// into a RayCluster, a ComputeTemplate into a ConfigMap, Kubernetes events into ClusterEvents.
// It also validates the messages, naming each bad field by its JSON path. Everything here is a
// pure function of its arguments: no API calls, no clock.
package convert
