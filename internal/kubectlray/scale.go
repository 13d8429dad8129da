package kubectlray

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// newScaleCommand returns `kubectl ray scale`.
func newScaleCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:         "scale",
		Short:       "Change the number of workers of a Ray cluster's worker group",
		Annotations: map[string]string{subcommandsAnnotation: "resource"},
	}
	cmd.AddCommand(newScaleClusterCommand(o))
	return cmd
}

// newScaleClusterCommand returns `kubectl ray scale cluster`.
func newScaleClusterCommand(o *Options) *cobra.Command {
	var group string
	var replicas int32
	cmd := &cobra.Command{
		Use:     "cluster NAME --worker-group GROUP --replicas N",
		Short:   "Set the replicas of a worker group, within its minReplicas and maxReplicas",
		Example: "  kubectl ray scale cluster demo --worker-group default-group --replicas 3",
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&group, "worker-group", "", "The worker group to scale")
	cmd.Flags().Int32Var(&replicas, "replicas", 0, "The number of replicas the group should have")
	_ = cmd.MarkFlagRequired("worker-group")
	_ = cmd.MarkFlagRequired("replicas")

	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if replicas < 0 {
			return fmt.Errorf("--replicas must be 0 or more, not %d", replicas)
		}
		c, rc, err := o.readCluster(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		ns := rc.Namespace
		i, err := scalableGroup(rc, group, replicas)
		if err != nil {
			return err
		}
		g := &rc.Spec.WorkerGroupSpecs[i]
		if g.Replicas != nil && *g.Replicas == replicas {
			o.printf("Worker group %q of RayCluster %q already has %d "+
				"replicas; nothing changed\n", group, rc.Name, replicas)
			return nil
		}
		// The test makes the patch fail, rather than scale another group, if the list changed
		// since it was read.
		path := "/spec/workerGroupSpecs/" + strconv.Itoa(i)
		err = patchCluster(cmd.Context(), c, rc, []jsonPatchOp{
			{Op: "test", Path: path + "/groupName", Value: group},
			{Op: "add", Path: path + "/replicas", Value: replicas},
		})
		if err != nil {
			return err
		}
		o.printf("Scaled worker group %q of RayCluster %q in namespace %q "+
			"from %s to %d replicas\n", group, rc.Name, ns, replicasText(g.Replicas), replicas)
		if rc.Spec.EnableInTreeAutoscaling != nil && *rc.Spec.EnableInTreeAutoscaling {
			o.notef("Note: the cluster's autoscaler may change the replicas again, " +
				"within minReplicas and maxReplicas\n")
		}
		return nil
	}
	return cmd
}

// scalableGroup returns the index of worker group name in rc, or says why it cannot be
// scaled to replicas: it does not exist, or replicas is outside its minReplicas and
// maxReplicas.
func scalableGroup(rc *rayv1.RayCluster, name string, replicas int32) (int, error) {
	i := findGroup(rc, name)
	if i < 0 {
		groups := orNone(strings.Join(groupNames(rc), ", "))
		return -1, fmt.Errorf("RayCluster %q in namespace %q has no worker group %q "+
			"(its groups: %s)", rc.Name, rc.Namespace, name, groups)
	}
	g := &rc.Spec.WorkerGroupSpecs[i]
	if g.MinReplicas != nil && replicas < *g.MinReplicas {
		return -1, fmt.Errorf("cannot scale worker group %q of RayCluster %q to %d replicas: "+
			"its minReplicas is %d", name, rc.Name, replicas, *g.MinReplicas)
	}
	if g.MaxReplicas != nil && replicas > *g.MaxReplicas {
		return -1, fmt.Errorf("cannot scale worker group %q of RayCluster %q to %d replicas: "+
			"its maxReplicas is %d", name, rc.Name, replicas, *g.MaxReplicas)
	}
	return i, nil
}

// replicasText shows a group's replicas field, which may be unset.
func replicasText(n *int32) string {
	if n == nil {
		return "unset"
	}
	return strconv.Itoa(int(*n))
}
