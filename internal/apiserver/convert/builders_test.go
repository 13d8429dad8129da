package convert_test

import (
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// clusterBuilder builds API clusters for tests, starting from a small valid one.
type clusterBuilder struct {
	c *apiv1.Cluster
}

// makeCluster is cluster "demo" of user "jane" in namespace "ns": a head and one worker group
// "small-group" of 1 worker (0 to 5), both sized by template "small".
func makeCluster() *clusterBuilder {
	return &clusterBuilder{c: &apiv1.Cluster{
		Name: "demo", Namespace: "ns", User: "jane", Version: "2.9.0",
		ClusterSpec: &apiv1.ClusterSpec{
			HeadGroupSpec: &apiv1.HeadGroupSpec{ComputeTemplate: "small",
				RayStartParams: map[string]string{"dashboard-host": "0.0.0.0"}},
			WorkerGroupSpec: []*apiv1.WorkerGroupSpec{{GroupName: "small-group",
				ComputeTemplate: "small", Replicas: 1, MaxReplicas: 5}},
		},
	}}
}

func (b *clusterBuilder) with(mutate func(c *apiv1.Cluster)) *clusterBuilder {
	mutate(b.c)
	return b
}

func (b *clusterBuilder) head(mutate func(h *apiv1.HeadGroupSpec)) *clusterBuilder {
	mutate(b.c.ClusterSpec.HeadGroupSpec)
	return b
}

// worker changes the first worker group.
func (b *clusterBuilder) worker(mutate func(w *apiv1.WorkerGroupSpec)) *clusterBuilder {
	mutate(b.c.ClusterSpec.WorkerGroupSpec[0])
	return b
}

func (b *clusterBuilder) obj() *apiv1.Cluster {
	return b.c
}

// smallTemplate is template "small" of namespace "ns": 2 CPUs and 4 GiB.
func smallTemplate() *apiv1.ComputeTemplate {
	return &apiv1.ComputeTemplate{Name: "small", Namespace: "ns", Cpu: 2, Memory: 4,
		MemoryUnit: "Gi"}
}

// gpuTemplate is template "gpu" of namespace "ns": half a CPU, 1.5 GiB, one GPU of the default
// accelerator, an extended resource, a toleration of GPU nodes and a node selector of T4 nodes.
func gpuTemplate() *apiv1.ComputeTemplate {
	return &apiv1.ComputeTemplate{Name: "gpu", Namespace: "ns", Cpu: 0.5, Memory: 1.5,
		MemoryUnit: "Gi", Gpu: 1, ExtendedResources: map[string]uint32{"vpc.amazonaws.com/efa": 2},
		Tolerations: []*apiv1.PodToleration{{Key: "nvidia.com/gpu", Operator: "Exists",
			Effect: "NoSchedule"}},
		NodeSelector: map[string]string{"example.com/accelerator": "nvidia-t4"}}
}

func templates(ts ...*apiv1.ComputeTemplate) map[string]*apiv1.ComputeTemplate {
	out := map[string]*apiv1.ComputeTemplate{}
	for _, t := range ts {
		out[t.Name] = t
	}
	return out
}
