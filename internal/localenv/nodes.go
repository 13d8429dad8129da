package localenv

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	// kwokNodeAnnotation marks the nodes KWOK manages; KWOK is started with the matching selector.
	kwokNodeAnnotation = "kwok.x-k8s.io/node"
	kwokNodeValue      = "fake"
	// managedByLabel tells the local environment's nodes from others.
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "raykube-local"
	gpuResource    = "nvidia.com/gpu"
)

// NodeTemplate is one simulated node: its name, capacity and labels.
type NodeTemplate struct {
	// Name is the node's name.
	Name string
	// CPU and Memory are the node's capacity.
	CPU, Memory resource.Quantity
	// GPU is the number of nvidia.com/gpu.
	GPU int
	// Pods is the most pods the node runs.
	Pods int
	// Resources are further extended resources.
	Resources map[string]resource.Quantity
	// Labels are added to the node's standard labels.
	Labels map[string]string
}

// Templates returns every node of the configuration, group after group.
func (c Config) Templates() ([]NodeTemplate, error) {
	var out []NodeTemplate
	for i, g := range c.Nodes {
		for _, name := range g.NodeNames() {
			t, err := g.Template(fmt.Sprintf("nodes[%d]", i), name)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// NodeObject returns the Node that KWOK will manage for t: annotated for KWOK, without taints,
// with its capacity in the status (KWOK's node stages keep a capacity that is set).
func NodeObject(t NodeTemplate) *corev1.Node {
	labels := map[string]string{
		corev1.LabelHostname:   t.Name,
		corev1.LabelOSStable:   "linux",
		corev1.LabelArchStable: "amd64",
		"type":                 "kwok",
		managedByLabel:         managedByValue,
	}
	maps.Copy(labels, t.Labels)
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              t.CPU,
		corev1.ResourceMemory:           t.Memory,
		corev1.ResourcePods:             *resource.NewQuantity(int64(t.Pods), resource.DecimalSI),
		corev1.ResourceEphemeralStorage: resource.MustParse(defaultNodeStorage),
	}
	if t.GPU > 0 {
		capacity[gpuResource] = *resource.NewQuantity(int64(t.GPU), resource.DecimalSI)
	}
	for name, q := range t.Resources {
		capacity[corev1.ResourceName(name)] = q
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:   t.Name,
			Labels: labels,
			Annotations: map[string]string{
				kwokNodeAnnotation:             kwokNodeValue,
				"node.alpha.kubernetes.io/ttl": "0",
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity.DeepCopy(),
			Phase:       corev1.NodeRunning,
		},
	}
}

// createNodes creates the nodes; a node that exists already is an error naming it.
func createNodes(ctx context.Context, c client.Client, templates []NodeTemplate) error {
	for _, t := range templates {
		if err := c.Create(ctx, NodeObject(t)); err != nil {
			if apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("node %s exists already: choose another name", t.Name)
			}
			return fmt.Errorf("creating node %s: %w", t.Name, err)
		}
	}
	return nil
}

// nodeUsable says whether pods can be scheduled to a node: Ready, and without the taints the
// node lifecycle controller sets on nodes that are not.
func nodeUsable(n *corev1.Node) bool {
	ready := false
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			ready = c.Status == corev1.ConditionTrue
		}
	}
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable {
			return false
		}
	}
	return ready
}

// waitNodesUsable waits until every named node is Ready and untainted.
func waitNodesUsable(ctx context.Context, c client.Client, names []string,
	timeout time.Duration) error {
	var pending []string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true,
		func(ctx context.Context) (bool, error) {
			pending = pending[:0]
			for _, name := range names {
				n := &corev1.Node{}
				err := c.Get(ctx, client.ObjectKey{Name: name}, n)
				if err != nil || !nodeUsable(n) {
					pending = append(pending, name)
				}
			}
			return len(pending) == 0, nil
		})
	if err != nil {
		return fmt.Errorf("nodes %s not ready after %s (see the kwok and kube-controller-manager "+
			"logs): %w", strings.Join(pending, ", "), timeout, err)
	}
	return nil
}

// nextNodeName returns <prefix>-<n> with n one more than the highest number in use.
func nextNodeName(existing []corev1.Node, prefix string) string {
	highest := 0
	for _, n := range existing {
		rest, ok := strings.CutPrefix(n.Name, prefix+"-")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(rest); err == nil && i > highest {
			highest = i
		}
	}
	return fmt.Sprintf("%s-%d", prefix, highest+1)
}

// AddNodeOptions describe a node added to a running environment.
type AddNodeOptions struct {
	// Group gives the node's capacity and labels; its Count is ignored.
	Group NodeGroup
	// Name is the node's name; the next free <prefix>-<n> when empty.
	Name string
	// Field prefixes errors about the options, e.g. "--" when they come from flags.
	Field string
	// Timeout bounds the wait for the node to be Ready; no wait when zero.
	Timeout time.Duration
}

// AddNode registers a simulated node with the environment's API server and waits until pods can
// be scheduled to it. It returns the node's name.
func AddNode(ctx context.Context, c client.Client, opts AddNodeOptions) (string, error) {
	name := opts.Name
	if name == "" {
		nodes := &corev1.NodeList{}
		if err := c.List(ctx, nodes); err != nil {
			return "", fmt.Errorf("listing nodes: %w", err)
		}
		name = nextNodeName(nodes.Items, opts.Group.prefix())
	}
	t, err := opts.Group.Template(opts.Field, name)
	if err != nil {
		return "", err
	}
	if err := createNodes(ctx, c, []NodeTemplate{t}); err != nil {
		return "", err
	}
	if opts.Timeout > 0 {
		if err := waitNodesUsable(ctx, c, []string{name}, opts.Timeout); err != nil {
			return name, err
		}
	}
	return name, nil
}
