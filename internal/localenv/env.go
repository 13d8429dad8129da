// Package localenv runs raykube's local environment: a real Kubernetes control plane (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler) on loopback, with KWOK playing the
// kubelet of simulated nodes, raykube's CRDs and the raykube operator.
//
// Everything lives in one state directory: certificates, kubeconfigs, etcd's data, the
// components' logs and pid files. The components run as child processes, attached to the
// `raykube local up` that started them or detached from it.
package localenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Options configure Up.
type Options struct {
	// StateDir holds the environment's files; DefaultStateDir when empty.
	StateDir string
	// Binaries are the control-plane programs.
	Binaries Binaries
	// CRDDir holds the CRDs to install.
	CRDDir string
	// RBACDir holds the operator's RBAC manifests (config/rbac), whose ClusterRole is bound to
	// the operator's user; the operator gets cluster-admin when empty.
	RBACDir string
	// Config describes the simulated nodes; DefaultConfig when it has none.
	Config Config
	// OperatorCommand is the program and first arguments that run the operator, e.g.
	// ["/path/raykube", "local", "operator"]; no operator is started when empty.
	OperatorCommand []string
	// FixedPorts uses FixedPorts instead of free ports.
	FixedPorts bool
	// Detach starts the components in their own session, so that they outlive this process.
	Detach bool
	// Timeout bounds each wait for a component to be healthy; one minute when zero.
	Timeout time.Duration
	// Out receives the progress, one line per step; nothing is printed when nil.
	Out io.Writer
	// Log receives details for debugging.
	Log logr.Logger
}

// AlreadyRunningError is returned by Up when the state directory's environment runs already.
type AlreadyRunningError struct {
	// Dir is the state directory.
	Dir string
	// State is the running environment's.
	State State
}

func (e *AlreadyRunningError) Error() string {
	return fmt.Sprintf("the local environment in %s is already running (API server %s, started %s)",
		e.Dir, e.State.APIServerURL(), e.State.StartedAt.Format(time.RFC3339))
}

// Env is a running local environment.
type Env struct {
	// State describes it: ports, nodes, components.
	State State
	// StateDir is the absolute path of its state directory.
	StateDir string
	// Kubeconfig is the administrator's kubeconfig.
	Kubeconfig string
	// RESTConfig reaches the API server as an administrator.
	RESTConfig *rest.Config
	// Client is an uncached client of the API server with the Kubernetes types.
	Client client.Client

	layout     layout
	components []component
	rep        *reporter
	log        logr.Logger
	detach     bool

	mu       sync.Mutex
	children []*child
}

func (o *Options) defaults() error {
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir
	}
	dir, err := filepath.Abs(o.StateDir)
	if err != nil {
		return fmt.Errorf("--state-dir: %w", err)
	}
	o.StateDir = dir
	if len(o.Config.Nodes) == 0 {
		o.Config = DefaultConfig()
	}
	if o.Timeout == 0 {
		o.Timeout = time.Minute
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Log.GetSink() == nil {
		o.Log = logr.Discard()
	}
	return nil
}

func (o *Options) validate() error {
	if err := o.Config.Validate(); err != nil {
		return err
	}
	if _, err := os.Stat(o.CRDDir); err != nil {
		return fmt.Errorf("the CRDs: %w", err)
	}
	return o.Binaries.Check()
}

// Up starts the local environment and returns once every component answers its health check,
// the nodes are Ready and the CRDs are served. An environment that runs already in the state
// directory is left alone (AlreadyRunningError); the remains of one that did not stop cleanly
// are stopped and removed first. When Up fails, whatever it started is stopped.
func Up(ctx context.Context, opts Options) (*Env, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	l := layout{dir: opts.StateDir}
	if err := l.ensure(); err != nil {
		return nil, err
	}
	unlock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	rep := &reporter{out: opts.Out}
	if err := recoverStale(ctx, l, rep); err != nil {
		return nil, err
	}
	if err := l.clean(); err != nil {
		return nil, err
	}
	ports, err := choosePorts(opts.FixedPorts, len(opts.OperatorCommand) > 0)
	if err != nil {
		return nil, err
	}
	e := &Env{StateDir: l.dir, Kubeconfig: l.kubeconfig("admin"), layout: l, rep: rep,
		log: opts.Log, detach: opts.Detach,
		State: State{StartedAt: time.Now(), Detached: opts.Detach, Ports: ports}}
	if err := e.start(ctx, opts); err != nil {
		return nil, errors.Join(err, e.Stop(context.Background()))
	}
	return e, nil
}

// start brings the components up in dependency order: etcd, the API server, then the controller
// manager, scheduler and KWOK while the CRDs and nodes are installed, and last the operator,
// whose informers need the CRDs.
func (e *Env) start(ctx context.Context, opts Options) error {
	ports := "free ones on 127.0.0.1"
	if opts.FixedPorts {
		ports = "the fixed ones on 127.0.0.1"
	}
	e.rep.printf("raykube local: starting in %s (ports: %s)\n", shortPath(e.StateDir), ports)
	if err := e.prepare(opts); err != nil {
		return err
	}
	if !opts.Detach {
		if err := e.recordSupervisor(); err != nil {
			return err
		}
	}
	for _, name := range []string{etcdName, apiServerName} {
		if err := e.launchAndWait(ctx, name, opts.Timeout); err != nil {
			return err
		}
	}
	cfg, err := restConfig(e.Kubeconfig)
	if err != nil {
		return err
	}
	if e.Client, err = client.New(cfg, client.Options{Scheme: Scheme()}); err != nil {
		return fmt.Errorf("creating a client: %w", err)
	}
	e.RESTConfig = cfg
	if err := e.startCluster(ctx, opts); err != nil {
		return err
	}
	if len(opts.OperatorCommand) > 0 {
		for _, name := range []string{operatorName, raykubeAPIName} {
			if err := e.launchAndWait(ctx, name, opts.Timeout); err != nil {
				return err
			}
		}
	}
	e.State.Ready = true
	return e.layout.writeState(e.State)
}

// prepare writes the certificates, kubeconfigs and configuration files, and the state.
func (e *Env) prepare(opts Options) error {
	return e.rep.timed("certificates, kubeconfigs", func() (string, error) {
		l := e.layout
		if err := generatePKI(l.path("pki"), apiServiceIP, time.Now()); err != nil {
			return "", err
		}
		if err := writeKubeconfigs(l, e.State.APIServerURL()); err != nil {
			return "", err
		}
		if err := writeConfigFiles(l, opts.Binaries); err != nil {
			return "", err
		}
		all, err := components(l, opts.Binaries, e.State.Ports, opts.OperatorCommand)
		if err != nil {
			return "", err
		}
		e.components = all
		for _, c := range all {
			e.State.Components = append(e.State.Components, c.name)
		}
		templates, err := opts.Config.Templates()
		if err != nil {
			return "", err
		}
		for _, t := range templates {
			e.State.Nodes = append(e.State.Nodes, t.Name)
		}
		return shortPath(l.path("pki")), l.writeState(e.State)
	})
}

// startCluster starts the controller manager, the scheduler and KWOK, installs the CRDs and
// registers the nodes, all at once, and waits until the nodes can take pods.
func (e *Env) startCluster(ctx context.Context, opts Options) error {
	started := map[string]*child{}
	for _, name := range []string{controllerManagerName, schedulerName, kwokName} {
		c, err := e.launch(name)
		if err != nil {
			return err
		}
		started[name] = c
	}
	g, gctx := errgroup.WithContext(ctx)
	for name, c := range started {
		g.Go(func() error { return e.awaitHealthy(gctx, name, c, opts.Timeout) })
	}
	g.Go(func() error {
		return e.rep.timed("CRDs", func() (string, error) {
			disc, err := discovery.NewDiscoveryClientForConfig(e.RESTConfig)
			if err != nil {
				return "", fmt.Errorf("creating a discovery client: %w", err)
			}
			names, err := installCRDs(gctx, e.Client, disc, opts.CRDDir, opts.Timeout)
			return fmt.Sprintf("%d established", len(names)), err
		})
	})
	if len(opts.OperatorCommand) > 0 {
		g.Go(func() error {
			return e.rep.timed("operator RBAC", func() (string, error) {
				role, err := installOperatorRBAC(gctx, e.Client, opts.RBACDir)
				return "ClusterRole " + role, err
			})
		})
	}
	g.Go(func() error {
		return e.rep.timed("nodes", func() (string, error) {
			return e.registerNodes(gctx, opts)
		})
	})
	g.Go(func() error {
		return e.rep.timed("default service account", func() (string, error) {
			return "default/default", waitServiceAccount(gctx, e.Client, opts.Timeout)
		})
	})
	return g.Wait()
}

// registerNodes creates the configured nodes and waits until they are Ready and untainted.
func (e *Env) registerNodes(ctx context.Context, opts Options) (string, error) {
	templates, err := opts.Config.Templates()
	if err != nil {
		return "", err
	}
	if err := createNodes(ctx, e.Client, templates); err != nil {
		return "", err
	}
	if err := waitNodesUsable(ctx, e.Client, e.State.Nodes, opts.Timeout); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, Ready", describeNodes(opts.Config)), nil
}

// waitServiceAccount waits for the default namespace's default ServiceAccount, which the
// controller manager creates and without which no pod of that namespace is admitted.
func waitServiceAccount(ctx context.Context, c client.Client, timeout time.Duration) error {
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true,
		func(ctx context.Context) (bool, error) {
			sa := &corev1.ServiceAccount{}
			key := client.ObjectKey{Namespace: "default", Name: "default"}
			return c.Get(ctx, key, sa) == nil, nil
		})
	if err != nil {
		return fmt.Errorf("the default ServiceAccount did not appear (see the "+
			"kube-controller-manager log): %w", err)
	}
	return nil
}

// launch starts a component and records its pid.
func (e *Env) launch(name string) (*child, error) {
	comp, ok := componentNamed(e.components, name)
	if !ok {
		return nil, fmt.Errorf("no component %s", name)
	}
	e.mu.Lock()
	seq := len(e.children) + 1
	e.mu.Unlock()
	c, err := startProcess(comp.processSpec, e.layout.logFile(name), e.detach, seq)
	if c != nil {
		e.mu.Lock()
		e.children = append(e.children, c)
		e.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	e.log.V(1).Info("Started a component", "component", name, "pid", c.record.PID,
		"args", comp.args)
	return c, e.layout.writeRecord(c.record)
}

// launchAndWait starts a component and waits until it is healthy.
func (e *Env) launchAndWait(ctx context.Context, name string, timeout time.Duration) error {
	c, err := e.launch(name)
	if err != nil {
		return err
	}
	return e.awaitHealthy(ctx, name, c, timeout)
}

// awaitHealthy waits for a started component's health check and reports it.
func (e *Env) awaitHealthy(ctx context.Context, name string, c *child,
	timeout time.Duration) error {
	comp, _ := componentNamed(e.components, name)
	if err := waitHealthy(ctx, c, comp.probe, e.layout.logFile(name), timeout); err != nil {
		return err
	}
	e.rep.done(name, fmt.Sprintf("%s (pid %d)", comp.url, c.record.PID), time.Since(c.started))
	return nil
}

// recordSupervisor writes the pid file of this process, which stops the components when it is
// told to (`down` sends it SIGTERM).
func (e *Env) recordSupervisor() error {
	_, ticks, err := procStat(os.Getpid())
	if err != nil {
		return fmt.Errorf("reading this process's start time: %w", err)
	}
	exe, _ := os.Executable()
	return e.layout.writeRecord(procRecord{Name: supervisorName, PID: os.Getpid(),
		StartTicks: ticks, Binary: exe})
}
