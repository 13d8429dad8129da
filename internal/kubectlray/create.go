package kubectlray

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// defaultRayVersion is the Ray release a new cluster runs unless told otherwise.
const defaultRayVersion = "2.52.0"

// waitInterval is how often --wait looks at the cluster's state.
const waitInterval = 500 * time.Millisecond

// newCreateCommand returns `kubectl ray create`.
func newCreateCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:         "create",
		Short:       "Create a Ray cluster, or add a worker group to one",
		Annotations: map[string]string{subcommandsAnnotation: "resource"},
	}
	cmd.AddCommand(newCreateClusterCommand(o), newCreateWorkerGroupCommand(o))
	return cmd
}

// newCreateClusterCommand returns `kubectl ray create cluster`.
func newCreateClusterCommand(o *Options) *cobra.Command {
	f := clusterFlags{
		head:   resourceFlags{prefix: "head-"},
		worker: groupFlags{prefix: "worker-", resources: resourceFlags{prefix: "worker-"}},
	}
	var dryRun, waitReady bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "cluster NAME",
		Short: "Create a Ray cluster with a head and one worker group",
		Example: "  kubectl ray create cluster demo\n" +
			"  kubectl ray create cluster demo --worker-replicas 3 --worker-gpu 1 --wait\n" +
			"  kubectl ray create cluster demo --dry-run > demo.yaml",
		Args: cobra.ExactArgs(1),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.rayVersion, "ray-version", defaultRayVersion, "Ray version the image runs")
	fs.StringVar(&f.image, "image", "", "Image of the head and workers "+
		"(default rayproject/ray:<ray-version>)")
	addResourceFlags(fs, &f.head, "the head", "2", "4Gi")
	fs.StringVar(&f.worker.name, "worker-group", "default-group", "Name of the worker group")
	addGroupFlags(fs, &f.worker, 1)
	fs.StringToStringVar(&f.labels, "labels", nil, "Labels of the RayCluster (key=value,...)")
	fs.StringToStringVar(&f.annotations, "annotations", nil,
		"Annotations of the RayCluster (key=value,...)")
	fs.BoolVar(&dryRun, "dry-run", false, "Print the RayCluster as YAML instead of creating it")
	fs.BoolVar(&waitReady, "wait", false, "Wait until the cluster's state is ready")
	fs.DurationVar(&timeout, "timeout", 5*time.Minute, "How long --wait waits")

	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f.name = args[0]
		f.worker.setMax(cmd.Flags())
		ns, err := o.namespace()
		if err != nil {
			return err
		}
		f.namespace = ns
		rc, err := newCluster(&f)
		if err != nil {
			return err
		}
		if dryRun {
			return printManifest(o.IOStreams.Out, rc)
		}
		if timeout <= 0 {
			return fmt.Errorf("--timeout must be more than 0, not %v", timeout)
		}
		c, err := o.client()
		if err != nil {
			return err
		}
		if err := c.Create(cmd.Context(), rc); err != nil {
			return clusterError(err, ns, rc.Name, "creating")
		}
		o.printf("Created RayCluster %q in namespace %q\n", rc.Name, ns)
		if !waitReady {
			return nil
		}
		return waitUntilReady(cmd.Context(), o, c, ns, rc.Name, timeout)
	}
	return cmd
}

// newCreateWorkerGroupCommand returns `kubectl ray create workergroup`.
func newCreateWorkerGroupCommand(o *Options) *cobra.Command {
	f := groupFlags{}
	var cluster string
	cmd := &cobra.Command{
		Use:   "workergroup NAME --ray-cluster CLUSTER",
		Short: "Add a worker group to a Ray cluster",
		Example: "  kubectl ray create workergroup gpu --ray-cluster demo " +
			"--replicas 2 --gpu 1 --memory 16Gi",
		Args: cobra.ExactArgs(1),
	}
	fs := cmd.Flags()
	fs.StringVarP(&cluster, "ray-cluster", "c", "", "The RayCluster to add the group to")
	_ = cmd.MarkFlagRequired("ray-cluster")
	fs.StringVar(&f.image, "image", "", "Image of the workers "+
		"(default the image of the cluster's first worker group, or of its head)")
	addGroupFlags(fs, &f, 1)

	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f.name = args[0]
		f.setMax(cmd.Flags())
		c, rc, err := o.readCluster(cmd.Context(), cluster)
		if err != nil {
			return err
		}
		ns := rc.Namespace
		if findGroup(rc, f.name) >= 0 {
			return fmt.Errorf("RayCluster %q in namespace %q already has a worker group %q",
				cluster, ns, f.name)
		}
		if f.image == "" {
			f.image = clusterImage(rc)
		}
		group, err := newWorkerGroup(&f)
		if err != nil {
			return err
		}
		op := jsonPatchOp{Op: "add", Path: "/spec/workerGroupSpecs/-", Value: group}
		if len(rc.Spec.WorkerGroupSpecs) == 0 {
			op = jsonPatchOp{Op: "add", Path: "/spec/workerGroupSpecs", Value: []any{group}}
		}
		if err := patchCluster(cmd.Context(), c, rc, []jsonPatchOp{op}); err != nil {
			return err
		}
		o.printf("Added worker group %q to RayCluster %q in namespace %q\n",
			f.name, cluster, ns)
		return nil
	}
	return cmd
}

// addResourceFlags adds the CPU, memory and GPU flags of r, for the pods of whom.
func addResourceFlags(fs *pflag.FlagSet, r *resourceFlags, whom, cpu, memory string) {
	fs.StringVar(&r.cpu, r.prefix+"cpu", cpu, "CPUs of "+whom)
	fs.StringVar(&r.memory, r.prefix+"memory", memory, "Memory of "+whom)
	fs.StringVar(&r.gpu, r.prefix+"gpu", "0", "GPUs (nvidia.com/gpu) of "+whom)
}

// addGroupFlags adds the replica and resource flags of worker group g.
func addGroupFlags(fs *pflag.FlagSet, g *groupFlags, replicas int32) {
	fs.Int32Var(&g.replicas, g.prefix+"replicas", replicas, "Number of workers")
	fs.Int32Var(&g.minReplicas, g.prefix+"min-replicas", 0,
		"Fewest workers the group may be scaled to")
	fs.Int32Var(new(int32), g.prefix+"max-replicas", 0,
		"Most workers the group may be scaled to (default no limit)")
	addResourceFlags(fs, &g.resources, "each worker", "2", "4Gi")
}

// setMax records the max-replicas flag when it was given.
func (g *groupFlags) setMax(fs *pflag.FlagSet) {
	flag := fs.Lookup(g.prefix + "max-replicas")
	if !flag.Changed {
		return
	}
	n, err := fs.GetInt32(flag.Name)
	if err == nil {
		g.maxReplicas = &n
	}
}

// clusterImage is the image a new worker group of rc runs unless told otherwise: that of the
// first worker group, or of the head when there is no group.
func clusterImage(rc *rayv1.RayCluster) string {
	for i := range rc.Spec.WorkerGroupSpecs {
		if image := firstImage(&rc.Spec.WorkerGroupSpecs[i].Template.Spec); image != "" {
			return image
		}
	}
	return firstImage(&rc.Spec.HeadGroupSpec.Template.Spec)
}

// printManifest writes rc as the YAML manifest a person would write, without the status that
// the zero values of its quantities would otherwise fill in.
func printManifest(w io.Writer, rc *rayv1.RayCluster) error {
	data, err := json.Marshal(rc)
	if err != nil {
		return err
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	delete(obj, "status")
	if data, err = yaml.Marshal(obj); err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// errWaitTimedOut is the cause of the cancellation of a wait whose time is up.
var errWaitTimedOut = errors.New("the wait timed out")

// waitUntilReady polls RayCluster name until its state is ready or timeout passes.
//
// The calls it makes get a context that is cancelled when the time is up, not one with a
// deadline: client-go's rate limiter refuses at once a call it predicts would end after a
// deadline, and the HTTP client fails one still in flight at it. Either would end the wait with
// an error about the call, not about the cluster. With a plain cancellation every call fails
// the same way when the time is up, and the wait then says where the cluster stood.
func waitUntilReady(ctx context.Context, o *Options, c client.Client, ns, name string,
	timeout time.Duration) error {
	o.printf("Waiting up to %v for RayCluster %q to be ready\n", timeout, name)
	waitCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(timeout, func() { cancel(errWaitTimedOut) })
	defer timer.Stop()

	var last *rayv1.RayCluster
	err := wait.PollUntilContextCancel(waitCtx, waitInterval, true,
		func(ctx context.Context) (bool, error) {
			rc, err := getCluster(ctx, c, ns, name)
			if err != nil {
				return false, err
			}
			last = rc
			return rc.Status.State == rayv1.Ready, nil
		})
	switch {
	case err == nil:
		o.printf("RayCluster %q is ready\n", name)
		return nil
	case errors.Is(context.Cause(waitCtx), errWaitTimedOut):
		// Whatever failed, it failed because the time was up.
		state := "state unknown: the API server did not answer in time"
		if last != nil {
			state = describeState(&last.Status)
		}
		return fmt.Errorf("RayCluster %q in namespace %q is not ready after %v: %s",
			name, ns, timeout, state)
	}
	return err
}

// describeState says where a cluster that is not ready stands.
func describeState(st *rayv1.RayClusterStatus) string {
	s := "state " + clusterState(st)
	if st.Reason != "" {
		s += " (" + st.Reason + ")"
	}
	failure := meta.FindStatusCondition(st.Conditions, string(rayv1.RayClusterReplicaFailure))
	if failure != nil && failure.Message != "" && failure.Message != st.Reason {
		s += ": " + failure.Message
	}
	return s
}
