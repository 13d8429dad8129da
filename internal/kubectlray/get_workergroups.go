package kubectlray

import (
	"context"
	"math"
	"strconv"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/controller/raycluster"
	"github.com/raykube/raykube/internal/raypod"
)

// newGetWorkerGroupsCommand returns `kubectl ray get workergroups`.
func newGetWorkerGroupsCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "workergroups",
		Aliases: []string{"workergroup", "wg"},
		Short:   "Show worker groups: desired and ready workers, resources of each worker",
		Example: "  kubectl ray get workergroups\n  kubectl ray get workergroups -c demo",
	}
	return clusterPodsCommand(o, cmd, false, func(out *output, s *scope,
		clusters []rayv1.RayCluster, pods []corev1.Pod) error {
		if len(clusters) == 0 {
			s.nothingFound(o, "RayClusters")
			return nil
		}
		table := workerGroupTable(clusters, pods)
		if len(table.Rows) == 0 {
			s.nothingFound(o, "worker groups")
			return nil
		}
		return out.print(o.IOStreams.Out, table, nil)
	})
}

// clusterPodsCommand completes cmd, a get command about the RayClusters in scope, or the one
// -c names, and their Ray pods: it adds -o, -A and -c, reads the clusters and pods, and hands
// them to show. objects says whether -o offers more than tables.
func clusterPodsCommand(o *Options, cmd *cobra.Command, objects bool, show func(out *output,
	s *scope, clusters []rayv1.RayCluster, pods []corev1.Pod) error) *cobra.Command {
	var s scope
	var cluster string
	out := addOutputFlag(cmd, objects)
	addScopeFlag(cmd, &s)
	cmd.Flags().StringVarP(&cluster, "ray-cluster", "c", "", "Only this RayCluster")
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		if err := s.resolve(o); err != nil {
			return err
		}
		c, err := o.client()
		if err != nil {
			return err
		}
		clusters, pods, err := clustersAndPods(cmd.Context(), c, &s, cluster)
		if err != nil {
			return err
		}
		return show(out, &s, clusters, pods)
	}
	return cmd
}

// clustersAndPods reads the RayClusters in scope, or only the one named cluster, and their
// Ray pods.
func clustersAndPods(ctx context.Context, c client.Client, s *scope,
	cluster string) ([]rayv1.RayCluster, []corev1.Pod, error) {
	var clusters []rayv1.RayCluster
	selector := client.MatchingLabels{raypod.IsRayNodeLabel: "yes"}
	if cluster != "" {
		rc, err := getCluster(ctx, c, s.namespace, cluster)
		if err != nil {
			return nil, nil, err
		}
		clusters = []rayv1.RayCluster{*rc}
		selector[raypod.ClusterLabel] = cluster
	} else {
		var list rayv1.RayClusterList
		if err := c.List(ctx, &list, s.listOptions()...); err != nil {
			return nil, nil, listError(err)
		}
		clusters = list.Items
	}

	var pods corev1.PodList
	if err := c.List(ctx, &pods, s.listOptions(selector)...); err != nil {
		return nil, nil, err
	}
	return clusters, pods.Items, nil
}

// workerGroupTable is the table of `get workergroups`: one row per worker group. Desired and
// ready count worker pods (a replica is numOfHosts pods), as the cluster's status does; min
// and max count replicas, as the spec does; the resources are those of one worker pod.
func workerGroupTable(clusters []rayv1.RayCluster, pods []corev1.Pod) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{
		column("Name", false), column("Cluster", false), column("Namespace", false),
		column("Desired", false), column("Ready", false),
		column("Min", false), column("Max", false),
		column("CPUs", false), column("GPUs", false), column("TPUs", false),
		column("Memory", false),
		column("Hosts", true), column("Image", true),
	}}
	ready := readyWorkers(pods)
	for i := range clusters {
		rc := &clusters[i]
		for j := range rc.Spec.WorkerGroupSpecs {
			g := &rc.Spec.WorkerGroupSpecs[j]
			cpu, memory, gpu, tpu := raycluster.PodResources(&g.Template.Spec)
			key := groupKey{rc.Namespace, rc.Name, g.GroupName}
			table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{
				g.GroupName, rc.Name, rc.Namespace,
				strconv.FormatInt(raycluster.GroupDesiredPods(g), 10),
				strconv.Itoa(ready[key]),
				replicaBound(g.MinReplicas, "0"), replicaBound(g.MaxReplicas, "unlimited"),
				quantity(cpu), quantity(gpu), quantity(tpu), quantity(memory),
				strconv.Itoa(int(max(g.NumOfHosts, 1))), orNone(firstImage(&g.Template.Spec)),
			}})
		}
	}
	return table
}

// groupKey names a worker group across clusters and namespaces.
type groupKey struct{ namespace, cluster, group string }

// readyWorkers counts the worker pods that are running and ready, per group.
func readyWorkers(pods []corev1.Pod) map[groupKey]int {
	ready := map[groupKey]int{}
	for i := range pods {
		p := &pods[i]
		if p.Labels[raypod.NodeTypeLabel] != raypod.WorkerNodeType || p.DeletionTimestamp != nil ||
			p.Status.Phase != corev1.PodRunning || !podReady(p) {
			continue
		}
		ready[groupKey{p.Namespace, p.Labels[raypod.ClusterLabel], p.Labels[raypod.GroupLabel]}]++
	}
	return ready
}

// podReady reports whether pod's Ready condition is true.
func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// replicaBound shows a minReplicas or maxReplicas: unset shows as its default, and the
// largest value, which is maxReplicas' default, as "unlimited".
func replicaBound(n *int32, unset string) string {
	switch {
	case n == nil:
		return unset
	case *n == math.MaxInt32:
		return "unlimited"
	}
	return strconv.Itoa(int(*n))
}

// firstImage is the image of the pod's first container, the one that runs Ray.
func firstImage(pod *corev1.PodSpec) string {
	if len(pod.Containers) == 0 {
		return ""
	}
	return pod.Containers[0].Image
}
