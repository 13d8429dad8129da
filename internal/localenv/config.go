package localenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Defaults of a simulated node: enough for the sample clusters, with one GPU so that GPU
// requests can be tried.
const (
	DefaultNodeCount   = 4
	DefaultNodeCPU     = "16"
	DefaultNodeMemory  = "64Gi"
	DefaultNodeGPU     = 1
	DefaultNodePods    = 110
	defaultNodeStorage = "500Gi"
	defaultNamePrefix  = "raykube-node"
)

// Config describes the simulated nodes of the local environment. It is read from a YAML file
// (`raykube local up --config`) or built from flags.
type Config struct {
	// Nodes are groups of identical nodes, registered in order.
	Nodes []NodeGroup `json:"nodes"`
}

// NodeGroup is a number of identical simulated nodes.
type NodeGroup struct {
	// Count is how many nodes the group has.
	Count int `json:"count"`
	// NamePrefix names the nodes <prefix>-<n>; raykube-node when empty.
	NamePrefix string `json:"namePrefix,omitempty"`
	// CPU is the CPU capacity of each node, a Kubernetes quantity such as 16 or 500m.
	CPU Quantity `json:"cpu"`
	// Memory is the memory capacity of each node, a quantity such as 64Gi.
	Memory Quantity `json:"memory"`
	// GPU is the number of nvidia.com/gpu of each node.
	GPU int `json:"gpu,omitempty"`
	// Pods is the most pods a node runs, at least 1; 110 when not set. A pointer, so that
	// "pods: 0" is refused rather than read as not set.
	Pods *int `json:"pods,omitempty"`
	// Resources are further extended resources of each node, e.g. google.com/tpu: 4.
	Resources map[string]Quantity `json:"resources,omitempty"`
	// Labels are added to each node.
	Labels map[string]string `json:"labels,omitempty"`
}

// Quantity is a Kubernetes quantity as written in a configuration file: a string such as
// "64Gi", or a bare number such as 16.
type Quantity string

// UnmarshalJSON accepts a JSON string or number.
func (q *Quantity) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*q = Quantity(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("a quantity must be a string or a number, not %s", data)
	}
	*q = Quantity(n.String())
	return nil
}

// DefaultConfig returns four nodes of 16 CPUs, 64 GiB of memory and one GPU each.
func DefaultConfig() Config {
	return Config{Nodes: []NodeGroup{{
		Count: DefaultNodeCount, CPU: DefaultNodeCPU, Memory: DefaultNodeMemory,
		GPU: DefaultNodeGPU,
	}}}
}

// LoadConfig reads and validates a configuration file. Unknown fields are errors.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading the configuration: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes and validates a configuration in YAML. Unknown fields are errors.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return Config{}, fmt.Errorf("decoding the configuration: %w", err)
	}
	strict, err := kjson.UnmarshalStrict(js, &cfg, kjson.DisallowDuplicateFields,
		kjson.DisallowUnknownFields)
	if err != nil {
		return Config{}, fmt.Errorf("decoding the configuration: %w", err)
	}
	if err := errors.Join(strict...); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate checks every node group and names each field that is wrong.
func (c Config) Validate() error {
	if len(c.Nodes) == 0 {
		return errors.New("nodes: at least one node group is required")
	}
	var errs []error
	prefixes := map[string]int{}
	for i, g := range c.Nodes {
		field := fmt.Sprintf("nodes[%d]", i)
		if j, dup := prefixes[g.prefix()]; dup {
			errs = append(errs, fmt.Errorf("%s.namePrefix: %q is already used by nodes[%d]",
				field, g.prefix(), j))
		}
		prefixes[g.prefix()] = i
		errs = append(errs, g.Validate(field))
	}
	return errors.Join(errs...)
}

// Validate checks the group; field prefixes every error ("nodes[0]", or "--node-" when the
// group comes from flags).
func (g NodeGroup) Validate(field string) error {
	var errs []error
	if g.Count < 1 {
		errs = append(errs, fmt.Errorf("%s: must be at least 1, not %d",
			join(field, "count"), g.Count))
	}
	_, err := g.Template(field, "")
	return errors.Join(append(errs, err)...)
}

func (g NodeGroup) prefix() string {
	if g.NamePrefix == "" {
		return defaultNamePrefix
	}
	return g.NamePrefix
}

// NodeNames returns the names of the group's nodes: <prefix>-1 to <prefix>-<count>.
func (g NodeGroup) NodeNames() []string {
	names := make([]string, g.Count)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%d", g.prefix(), i+1)
	}
	return names
}

// Template checks the group's resources, labels and the given node name and returns the node
// they describe. field prefixes every error, e.g. "nodes[0]" or "--" for flags.
func (g NodeGroup) Template(field, name string) (NodeTemplate, error) {
	var errs []error
	t := NodeTemplate{Name: name, Labels: g.Labels, Resources: map[string]resource.Quantity{}}
	cpu, err := positiveQuantity(field, "cpu", g.CPU)
	errs = append(errs, err)
	memory, err := positiveQuantity(field, "memory", g.Memory)
	errs = append(errs, err)
	if g.GPU < 0 {
		errs = append(errs, fmt.Errorf("%s: must not be negative, not %d",
			join(field, "gpu"), g.GPU))
	}
	t.CPU, t.Memory, t.GPU, t.Pods = cpu, memory, g.GPU, DefaultNodePods
	if g.Pods != nil {
		// A node that takes no pod is of no use to a Ray cluster, and Kubernetes would
		// schedule nothing to it: 0 is a mistake, not a wish.
		if *g.Pods < 1 {
			errs = append(errs, fmt.Errorf("%s: must be at least 1, not %d",
				join(field, "pods"), *g.Pods))
		}
		t.Pods = *g.Pods
	}
	for _, key := range sortedKeys(g.Resources) {
		errs = append(errs, t.addResource(field, key, g.Resources[key]))
	}
	errs = append(errs, validateLabels(join(field, "labels"), g.Labels))
	if name != "" {
		for _, msg := range validation.IsDNS1123Subdomain(name) {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid node name: %s",
				join(field, "name"), name, msg))
		}
	} else if g.NamePrefix != "" {
		for _, msg := range validation.IsDNS1123Label(g.NamePrefix) {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid name prefix: %s",
				join(field, "namePrefix"), g.NamePrefix, msg))
		}
	}
	return t, errors.Join(errs...)
}

// addResource checks and records one extended resource.
func (t *NodeTemplate) addResource(field, key string, value Quantity) error {
	path := join(field, "resources["+key+"]")
	if msgs := validation.IsQualifiedName(key); len(msgs) > 0 || !hasDomain(key) {
		return fmt.Errorf("%s: %q is not an extended resource name (domain/name, e.g. "+
			"google.com/tpu)", path, key)
	}
	if _, builtin := builtinResources[key]; builtin {
		return fmt.Errorf("%s: %s is set by its own field", path, key)
	}
	q, err := positiveQuantity(field, "resources["+key+"]", value)
	if err != nil {
		return err
	}
	t.Resources[key] = q
	return nil
}

// builtinResources are the resources that have their own field.
var builtinResources = map[string]struct{}{gpuResource: {}}

func hasDomain(name string) bool {
	return strings.Contains(name, "/")
}

// positiveQuantity parses a quantity that must be greater than zero.
func positiveQuantity(field, name string, value Quantity) (resource.Quantity, error) {
	path := join(field, name)
	if value == "" {
		return resource.Quantity{}, fmt.Errorf("%s: is required", path)
	}
	q, err := resource.ParseQuantity(string(value))
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("%s: %q is not a quantity (e.g. 16, 500m, 64Gi): %w",
			path, value, err)
	}
	if q.Sign() <= 0 {
		return resource.Quantity{}, fmt.Errorf("%s: must be greater than zero, not %s", path, value)
	}
	return q, nil
}

// validateLabels checks label keys and values.
func validateLabels(field string, labels map[string]string) error {
	var errs []error
	for _, k := range sortedKeys(labels) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, fmt.Errorf("%s: key %q: %s", field, k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(labels[k]) {
			errs = append(errs, fmt.Errorf("%s[%s]: value %q: %s", field, k, labels[k], msg))
		}
	}
	return errors.Join(errs...)
}

// join appends a field name to a path: "nodes[0]" + "cpu" is "nodes[0].cpu"; a flag prefix such
// as "--" or "--node-" gives the flag of the same meaning ("--cpu", "--node-cpu").
func join(field, name string) string {
	switch {
	case field == "":
		return name
	case strings.HasPrefix(field, "--"):
		return field + name
	}
	return field + "." + name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
