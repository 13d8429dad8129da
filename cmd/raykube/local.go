package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/localenv"
	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
)

func newLocalCommand() *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run Kubernetes with simulated nodes and the operator on this machine",
	}
	cmd.PersistentFlags().StringVar(&stateDir, "state-dir", localenv.DefaultStateDir,
		"directory of the environment's certificates, kubeconfig, logs and pid files")
	cmd.AddCommand(newUpCommand(&stateDir), newDownCommand(&stateDir),
		newStatusCommand(&stateDir), newKubeconfigCommand(&stateDir),
		newAddNodeCommand(&stateDir), newOperatorCommand(), newAPIServerCommand())
	return cmd
}

// upFlags are the flags of `raykube local up`.
type upFlags struct {
	detach, fixedPorts, operator bool
	verbose                      bool
	configFile                   string
	nodes                        localenv.NodeGroup
	k8sBinDir, kwokBinDir        string
	crdDir, rbacDir              string
	timeout                      time.Duration
}

func newUpCommand(stateDir *string) *cobra.Command {
	f := &upFlags{operator: true, nodes: localenv.DefaultConfig().Nodes[0]}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the control plane, KWOK nodes and the operator",
		Long: "Start etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK with " +
			"simulated nodes and the raykube operator, on loopback, and print where everything " +
			"is. It runs in the foreground until Ctrl-C, or in the background with --detach " +
			"until `raykube local down`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options(cmd, *stateDir)
			if err != nil {
				return err
			}
			return runUp(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.detach, "detach", false,
		"return once everything is healthy and leave it running; 'raykube local down' stops it")
	fs.BoolVar(&f.fixedPorts, "fixed-ports", false,
		"use the usual ports (API server 6443, etcd 2379, metrics 8080...) instead of free ones")
	fs.BoolVar(&f.operator, "operator", f.operator, "start the raykube operator")
	fs.StringVar(&f.configFile, "config", "",
		"YAML file describing the node groups (docs/local.md)")
	fs.IntVar(&f.nodes.Count, "node-count", f.nodes.Count, "number of simulated nodes")
	fs.StringVar((*string)(&f.nodes.CPU), "node-cpu", string(f.nodes.CPU),
		"CPU capacity of each node")
	fs.StringVar((*string)(&f.nodes.Memory), "node-memory", string(f.nodes.Memory),
		"memory capacity of each node")
	fs.IntVar(&f.nodes.GPU, "node-gpu", f.nodes.GPU, "nvidia.com/gpu of each node")
	fs.StringVar(&f.k8sBinDir, "k8s-bin-dir", "",
		"directory of etcd and the Kubernetes programs (default: what 'make controlplane' builds)")
	fs.StringVar(&f.kwokBinDir, "kwok-bin-dir", "",
		"directory of kwok and its stages (default: what 'make controlplane' builds)")
	fs.StringVar(&f.crdDir, "crd-dir", "", "directory of the CRDs (default: config/crd/bases)")
	fs.StringVar(&f.rbacDir, "rbac-dir", "",
		"directory of the operator's RBAC manifests (default: config/rbac)")
	fs.DurationVar(&f.timeout, "timeout", time.Minute, "how long to wait for each component")
	fs.BoolVarP(&f.verbose, "verbose", "v", false,
		"log each component's command line and each stop to standard error")
	return cmd
}

// options turns the flags into localenv options, checking them.
func (f *upFlags) options(cmd *cobra.Command, stateDir string) (localenv.Options, error) {
	opts := localenv.Options{StateDir: stateDir, FixedPorts: f.fixedPorts, Detach: f.detach,
		Timeout: f.timeout, Out: cmd.OutOrStdout()}
	if f.verbose {
		opts.Log = logging.New("console", 1)
	}
	if f.timeout <= 0 {
		return opts, fmt.Errorf("--timeout: must be positive, not %s", f.timeout)
	}
	nodeFlags := false
	for _, name := range []string{"node-count", "node-cpu", "node-memory", "node-gpu"} {
		nodeFlags = nodeFlags || cmd.Flags().Changed(name)
	}
	switch {
	case f.configFile != "" && nodeFlags:
		return opts, errors.New("--config and the --node-* flags exclude each other: " +
			"describe the nodes in the file")
	case f.configFile != "":
		cfg, err := localenv.LoadConfig(f.configFile)
		if err != nil {
			return opts, fmt.Errorf("--config: %w", err)
		}
		opts.Config = cfg
	default:
		if err := f.nodes.Validate("--node-"); err != nil {
			return opts, err
		}
		opts.Config = localenv.Config{Nodes: []localenv.NodeGroup{f.nodes}}
	}
	if err := f.locate(&opts); err != nil {
		return opts, err
	}
	if f.operator {
		exe, err := os.Executable()
		if err != nil {
			return opts, fmt.Errorf("finding the raykube program to run the operator: %w", err)
		}
		opts.OperatorCommand = []string{exe, "local", "operator"}
	}
	return opts, nil
}

// locate fills in where the control-plane programs and the CRDs are.
func (f *upFlags) locate(opts *localenv.Options) error {
	opts.Binaries = localenv.Binaries{K8sDir: f.k8sBinDir, KWOKDir: f.kwokBinDir}
	opts.CRDDir, opts.RBACDir = f.crdDir, f.rbacDir
	if f.k8sBinDir != "" && f.kwokBinDir != "" && f.crdDir != "" && f.rbacDir != "" {
		return nil
	}
	root, err := localenv.FindSourceTree()
	if err != nil {
		return err
	}
	found, err := localenv.FindBinaries(root)
	if err != nil {
		return err
	}
	if opts.Binaries.K8sDir == "" {
		opts.Binaries.K8sDir = found.K8sDir
	}
	if opts.Binaries.KWOKDir == "" {
		opts.Binaries.KWOKDir = found.KWOKDir
	}
	if opts.CRDDir == "" {
		opts.CRDDir = filepath.Join(root, "config", "crd", "bases")
	}
	if opts.RBACDir == "" {
		opts.RBACDir = filepath.Join(root, "config", "rbac")
	}
	return nil
}

// runUp starts the environment; in the foreground it then waits for Ctrl-C, SIGTERM or SIGHUP
// (its terminal closed) and stops everything. A second signal while stopping kills what is left at once.
func runUp(ctx context.Context, opts localenv.Options) error {
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	start := time.Now()
	env, err := localenv.Up(ctx, opts)
	var running *localenv.AlreadyRunningError
	if errors.As(err, &running) {
		_, _ = fmt.Fprintf(opts.Out, "raykube local: %v; nothing started\n", running)
		localenv.PrintSummary(opts.Out, running.State, running.Dir, opts.Binaries,
			localCommand(opts))
		return nil
	}
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(opts.Out, "\nraykube local is up (%.1fs).\n", time.Since(start).Seconds())
	localenv.PrintSummary(opts.Out, env.State, env.StateDir, opts.Binaries, localCommand(opts))
	if opts.Detach {
		return nil
	}
	waitErr := env.Wait(ctx)
	cancel()
	killCtx, cancelKill := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM,
		syscall.SIGHUP)
	defer cancelKill()
	_, _ = fmt.Fprintln(opts.Out, "\nraykube local: stopping (press Ctrl-C again to kill at once)")
	if err := env.Stop(killCtx); err != nil {
		return errors.Join(waitErr, err)
	}
	_, _ = fmt.Fprintln(opts.Out, "raykube local: stopped")
	return waitErr
}

// localCommand is how the user ran `raykube local`, with the state directory when it is not
// the default one, for the commands the summary suggests.
func localCommand(opts localenv.Options) string {
	cmd := os.Args[0] + " local"
	if opts.StateDir != localenv.DefaultStateDir {
		cmd += " --state-dir " + opts.StateDir
	}
	return cmd
}

func newDownCommand(stateDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Stop the local environment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			stopped, err := localenv.Down(ctx, *stateDir, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			if !stopped {
				_, _ = fmt.Fprintf(cmd.OutOrStdout(), "raykube local: nothing was running in %s\n",
					*stateDir)
				return nil
			}
			_, _ = fmt.Fprintln(cmd.OutOrStdout(), "raykube local: stopped")
			return nil
		},
	}
}

func newStatusCommand(stateDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the components, their health and the nodes of the local environment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := localenv.ReadStatus(cmd.Context(), *stateDir)
			if err != nil {
				return err
			}
			s.Print(cmd.OutOrStdout())
			if len(s.Components) > 0 && !s.Stale() && !s.Running() {
				return errors.New("the local environment is not healthy")
			}
			return nil
		},
	}
}

func newKubeconfigCommand(stateDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print the path of the administrator's kubeconfig",
		Long: "Print the path of the administrator's kubeconfig, for " +
			"export KUBECONFIG=$(raykube local kubeconfig).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := localenv.KubeconfigPath(*stateDir)
			if err != nil {
				return err
			}
			_, _ = fmt.Fprintln(cmd.OutOrStdout(), path)
			return nil
		},
	}
}

func newAddNodeCommand(stateDir *string) *cobra.Command {
	opts := localenv.AddNodeOptions{Group: localenv.DefaultConfig().Nodes[0], Field: "--"}
	var resources map[string]string
	cmd := &cobra.Command{
		Use:     "add-node",
		Short:   "Add a simulated node to the running local environment",
		Example: "  raykube local add-node --cpu 64 --memory 256Gi --gpu 0 --labels pool=big",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Timeout < 0 {
				return fmt.Errorf("--timeout: must not be negative, not %s", opts.Timeout)
			}
			opts.Group.Resources = map[string]localenv.Quantity{}
			for k, v := range resources {
				opts.Group.Resources[k] = localenv.Quantity(v)
			}
			if _, err := opts.Group.Template(opts.Field, opts.Name); err != nil {
				return err
			}
			c, err := localenv.Connect(cmd.Context(), *stateDir)
			if err != nil {
				return err
			}
			name, err := localenv.AddNode(cmd.Context(), c, opts)
			if err != nil {
				return err
			}
			_, _ = fmt.Fprintf(cmd.OutOrStdout(), "raykube local: node %s added and Ready\n", name)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Name, "name", "", "node name (default: the next free raykube-node-<n>)")
	fs.StringVar((*string)(&opts.Group.CPU), "cpu", string(opts.Group.CPU), "CPU capacity")
	fs.StringVar((*string)(&opts.Group.Memory), "memory", string(opts.Group.Memory),
		"memory capacity")
	fs.IntVar(&opts.Group.GPU, "gpu", opts.Group.GPU, "number of nvidia.com/gpu")
	opts.Group.Pods = new(localenv.DefaultNodePods)
	fs.IntVar(opts.Group.Pods, "pods", localenv.DefaultNodePods, "most pods on the node")
	fs.StringToStringVar(&opts.Group.Labels, "labels", nil, "node labels, e.g. pool=big,zone=a")
	fs.StringToStringVar(&resources, "resources", nil,
		"extended resources, e.g. google.com/tpu=4")
	fs.DurationVar(&opts.Timeout, "timeout", time.Minute,
		"how long to wait for the node to be Ready (0: do not wait)")
	return cmd
}

// newAPIServerCommand is the hidden command the local environment runs raykube's API server
// with.
func newAPIServerCommand() *cobra.Command {
	opts := apiserver.DefaultOptions()
	var kubeconfig string
	cmd := &cobra.Command{
		Use:    "apiserver",
		Short:  "Run raykube's API server (started by `raykube local up`)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			return localenv.RunAPIServer(ctrl.SetupSignalHandler(), kubeconfig, opts)
		},
	}
	opts.BindFlags(cmd.Flags())
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the API server")
	_ = cmd.MarkFlagRequired("kubeconfig")
	return cmd
}

// newOperatorCommand is the hidden command the local environment runs the operator with.
func newOperatorCommand() *cobra.Command {
	opts := operator.DefaultOptions()
	var kubeconfig string
	cmd := &cobra.Command{
		Use:    "operator",
		Short:  "Run the raykube operator (started by `raykube local up`)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			return localenv.RunOperator(ctrl.SetupSignalHandler(), kubeconfig, opts)
		},
	}
	opts.BindFlags(cmd.Flags())
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the API server")
	_ = cmd.MarkFlagRequired("kubeconfig")
	return cmd
}
