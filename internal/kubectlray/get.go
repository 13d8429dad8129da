package kubectlray

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// newGetCommand returns `kubectl ray get`.
func newGetCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:         "get",
		Short:       "Show Ray clusters, worker groups or Ray pods",
		Annotations: map[string]string{subcommandsAnnotation: "resource"},
	}
	cmd.AddCommand(newGetClusterCommand(o), newGetWorkerGroupsCommand(o), newGetNodesCommand(o))
	return cmd
}

// scope is the namespace a get command looks in: one, or all of them with -A.
type scope struct {
	allNamespaces bool
	namespace     string
}

// addScopeFlag adds -A to cmd.
func addScopeFlag(cmd *cobra.Command, s *scope) {
	cmd.Flags().BoolVarP(&s.allNamespaces, "all-namespaces", "A", false,
		"Look in every namespace")
}

// resolve fills in the namespace of the flags or the kubeconfig's context.
func (s *scope) resolve(o *Options) error {
	ns, err := o.namespace()
	s.namespace = ns
	return err
}

// listOptions limit a list to the scope, plus opts.
func (s *scope) listOptions(opts ...client.ListOption) []client.ListOption {
	if !s.allNamespaces {
		opts = append(opts, client.InNamespace(s.namespace))
	}
	return opts
}

// nothingFound tells, on standard error as kubectl does, that there was nothing to show.
func (s *scope) nothingFound(o *Options, what string) {
	where := fmt.Sprintf("in namespace %q", s.namespace)
	if s.allNamespaces {
		where = "in any namespace"
	}
	o.notef("No %s found %s.\n", what, where)
}

// newGetClusterCommand returns `kubectl ray get cluster`.
func newGetClusterCommand(o *Options) *cobra.Command {
	var s scope
	cmd := &cobra.Command{
		Use:     "cluster [NAME]",
		Aliases: []string{"clusters", "raycluster", "rayclusters"},
		Short:   "Show Ray clusters: workers, resources, state and condition",
		Example: "  kubectl ray get cluster\n  kubectl ray get cluster demo -o yaml\n" +
			"  kubectl ray get cluster -A -o wide",
		Args: cobra.MaximumNArgs(1),
	}
	out := addOutputFlag(cmd, true)
	addScopeFlag(cmd, &s)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.validate(); err != nil {
			return err
		}
		if len(args) == 1 && s.allNamespaces {
			return errors.New("a RayCluster is named within one namespace: " +
				"leave out -A or the name")
		}
		if err := s.resolve(o); err != nil {
			return err
		}
		c, err := o.client()
		if err != nil {
			return err
		}
		return getClusters(cmd.Context(), o, c, &s, args, out)
	}
	return cmd
}

// getClusters prints the cluster named in args, or every cluster in scope.
func getClusters(ctx context.Context, o *Options, c client.Client, s *scope, args []string,
	out *output) error {
	if len(args) == 1 {
		rc, err := getCluster(ctx, c, s.namespace, args[0])
		if err != nil {
			return err
		}
		table := clusterTable([]rayv1.RayCluster{*rc}, o.Clock.Now())
		return out.print(o.IOStreams.Out, table, rc)
	}

	var list rayv1.RayClusterList
	if err := c.List(ctx, &list, s.listOptions()...); err != nil {
		return listError(err)
	}
	if len(list.Items) == 0 && out.table() {
		s.nothingFound(o, "RayClusters")
		return nil
	}
	for i := range list.Items {
		list.Items[i].SetGroupVersionKind(rayv1.GroupVersion.WithKind("RayCluster"))
	}
	return out.print(o.IOStreams.Out, clusterTable(list.Items, o.Clock.Now()), &list)
}

// clusterTable is the table of `get cluster`: one row per cluster, every value read from the
// status the operator writes.
func clusterTable(clusters []rayv1.RayCluster, now time.Time) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{
		column("Name", false), column("Namespace", false),
		column("Desired Workers", false), column("Available Workers", false),
		column("CPUs", false), column("GPUs", false), column("TPUs", false),
		column("Memory", false), column("Condition", false), column("Status", false),
		column("Age", false),
		column("Ready Workers", true), column("Head Pod IP", true),
		column("Head Service IP", true), column("Reason", true),
	}}
	for i := range clusters {
		rc := &clusters[i]
		st := &rc.Status
		table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{
			rc.Name, rc.Namespace,
			strconv.Itoa(int(st.DesiredWorkerReplicas)),
			strconv.Itoa(int(st.AvailableWorkerReplicas)),
			quantity(st.DesiredCPU), quantity(st.DesiredGPU), quantity(st.DesiredTPU),
			quantity(st.DesiredMemory), clusterCondition(st), clusterState(st),
			age(rc.CreationTimestamp, now),
			strconv.Itoa(int(st.ReadyWorkerReplicas)), orNone(st.Head.PodIP),
			orNone(st.Head.ServiceIP), orNone(st.Reason),
		}})
	}
	return table
}

// clusterState is the state column: the status's state, "provisioning" for the empty state
// the operator reports while it brings the cluster up, and none while no operator has
// written a status at all.
func clusterState(st *rayv1.RayClusterStatus) string {
	switch {
	case st.State != "":
		return string(st.State)
	case st.ObservedGeneration == 0:
		return none
	}
	return "provisioning"
}

// conditionOrder breaks ties between conditions that became true in the same second, the one
// that says most about the cluster first.
var conditionOrder = []rayv1.RayClusterConditionType{
	rayv1.RayClusterReplicaFailure, rayv1.RayClusterSuspended, rayv1.RayClusterSuspending,
	rayv1.RayClusterProvisioned, rayv1.HeadPodReady,
}

// clusterCondition is the condition column: the type of the true condition that changed
// last, which is the latest thing that happened to the cluster; none when no condition is
// true.
func clusterCondition(st *rayv1.RayClusterStatus) string {
	var latest *metav1.Condition
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if c.Status != metav1.ConditionTrue {
			continue
		}
		if latest == nil || c.LastTransitionTime.After(latest.LastTransitionTime.Time) ||
			(c.LastTransitionTime.Equal(&latest.LastTransitionTime) &&
				conditionRank(c.Type) < conditionRank(latest.Type)) {
			latest = c
		}
	}
	if latest == nil {
		return none
	}
	return latest.Type
}

// conditionRank is the position of condition type t in conditionOrder; unknown types last.
func conditionRank(t string) int {
	for i, known := range conditionOrder {
		if string(known) == t {
			return i
		}
	}
	return len(conditionOrder)
}
