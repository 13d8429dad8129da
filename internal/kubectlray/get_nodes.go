package kubectlray

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/controller/raycluster"
	"github.com/raykube/raykube/internal/raypod"
)

// newGetNodesCommand returns `kubectl ray get nodes`.
func newGetNodesCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "nodes",
		Aliases: []string{"node"},
		Short:   "Show the Ray pods (Ray nodes): head and workers, their group, state and IP",
		Example: "  kubectl ray get nodes\n  kubectl ray get nodes -c demo -o wide",
	}
	return clusterPodsCommand(o, cmd, true, func(out *output, s *scope,
		_ []rayv1.RayCluster, pods []corev1.Pod) error {
		if len(pods) == 0 && out.table() {
			s.nothingFound(o, "Ray pods")
			return nil
		}
		sortPods(pods)
		list := &corev1.PodList{Items: pods}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("PodList"))
		for i := range list.Items {
			list.Items[i].SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Pod"))
		}
		return out.print(o.IOStreams.Out, nodeTable(pods, o.Clock.Now()), list)
	})
}

// sortPods orders pods by namespace and cluster, the head before the workers, then by group
// and name.
func sortPods(pods []corev1.Pod) {
	slices.SortFunc(pods, func(a, b corev1.Pod) int {
		return cmp.Or(
			cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.Labels[raypod.ClusterLabel], b.Labels[raypod.ClusterLabel]),
			cmp.Compare(a.Labels[raypod.NodeTypeLabel], b.Labels[raypod.NodeTypeLabel]),
			cmp.Compare(a.Labels[raypod.GroupLabel], b.Labels[raypod.GroupLabel]),
			cmp.Compare(a.Name, b.Name))
	})
}

// nodeTable is the table of `get nodes`: one row per Ray pod.
func nodeTable(pods []corev1.Pod, now time.Time) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{
		column("Name", false), column("Cluster", false), column("Namespace", false),
		column("Group", false), column("Type", false), column("Ready", false),
		column("Status", false), column("IP", false), column("Age", false),
		column("Node", true), column("CPUs", true), column("GPUs", true), column("TPUs", true),
		column("Memory", true),
	}}
	for i := range pods {
		p := &pods[i]
		cpu, memory, gpu, tpu := raycluster.PodResources(&p.Spec)
		table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{
			p.Name, p.Labels[raypod.ClusterLabel], p.Namespace,
			p.Labels[raypod.GroupLabel], p.Labels[raypod.NodeTypeLabel],
			readyContainers(p), podStatus(p), orNone(p.Status.PodIP),
			age(p.CreationTimestamp, now),
			orNone(p.Spec.NodeName), quantity(cpu), quantity(gpu), quantity(tpu), quantity(memory),
		}})
	}
	return table
}

// readyContainers shows how many of the pod's containers are ready, as "ready/all".
func readyContainers(pod *corev1.Pod) string {
	ready := 0
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
	}
	return fmt.Sprintf("%d/%d", ready, len(pod.Spec.Containers))
}

// podStatus is a one-word state of the pod, as kubectl's STATUS column gives it: the pod's
// phase, unless something more telling is known — the pod is being deleted, it was evicted,
// or a container is waiting or has stopped for a reason (CrashLoopBackOff, ErrImagePull).
func podStatus(pod *corev1.Pod) string {
	if pod.DeletionTimestamp != nil {
		return "Terminating"
	}
	if pod.Status.Reason != "" {
		return pod.Status.Reason
	}
	for _, cs := range pod.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" &&
			cs.State.Waiting.Reason != "ContainerCreating":
			return cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "" &&
			pod.Status.Phase == corev1.PodRunning:
			return cs.State.Terminated.Reason
		}
	}
	return cmp.Or(string(pod.Status.Phase), "Unknown")
}
