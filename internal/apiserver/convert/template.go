package convert

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// Keys of a compute template's ConfigMap data.
const (
	keyName              = "name"
	keyNamespace         = "namespace"
	keyCPU               = "cpu"
	keyMemory            = "memory"
	keyMemoryUnit        = "memory_unit"
	keyGPU               = "gpu"
	keyGPUAccelerator    = "gpu_accelerator"
	keyExtendedResources = "extended_resources"
	keyTolerations       = "tolerations"
	keyNodeSelector      = "node_selector"
)

// Options are what conversion takes from the server's configuration.
type Options struct {
	// ManagedBy is the value of the app.kubernetes.io/managed-by label of created objects.
	ManagedBy string
}

// memoryUnits are the units ComputeTemplate.memory may be given in.
var memoryUnits = []string{"Ki", "Mi", "Gi", "Ti", "Pi", "K", "M", "G", "T", "P"}

// quantitySuffixes are the Kubernetes quantity suffixes of the memory units that are not
// their own suffix: Kubernetes writes kilo as k.
var quantitySuffixes = map[string]string{"K": "k"}

// WithDefaults returns a copy of the template with the defaults the server applies on create:
// the memory unit Gi.
func WithDefaults(t *apiv1.ComputeTemplate) *apiv1.ComputeTemplate {
	out := cloneTemplate(t)
	if out.MemoryUnit == "" {
		out.MemoryUnit = defaultMemoryUnit
	}
	return out
}

// TemplateToConfigMap stores a compute template as a ConfigMap of the template's name, labelled
// as a compute template. Apply WithDefaults first.
func TemplateToConfigMap(t *apiv1.ComputeTemplate, opts Options) (*corev1.ConfigMap, error) {
	tolerations := make([]toleration, 0, len(t.Tolerations))
	for _, tol := range t.Tolerations {
		tolerations = append(tolerations, toleration{Key: tol.Key, Operator: tol.Operator,
			Effect: tol.Effect, Value: tol.Value})
	}
	data := map[string]string{
		keyName:           t.Name,
		keyNamespace:      t.Namespace,
		keyCPU:            formatFloat(t.Cpu),
		keyMemory:         formatFloat(t.Memory),
		keyMemoryUnit:     t.MemoryUnit,
		keyGPU:            strconv.FormatUint(uint64(t.Gpu), 10),
		keyGPUAccelerator: t.GpuAccelerator,
	}
	// Empty lists and maps are kept as [] and {}, not null.
	for key, v := range map[string]any{keyTolerations: tolerations,
		keyExtendedResources: nonNil(t.ExtendedResources), keyNodeSelector: nonNil(t.NodeSelector)} {
		encoded, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", key, err)
		}
		data[key] = string(encoded)
	}
	labels := map[string]string{ConfigTypeLabel: ConfigTypeTemplate, TemplateNameLabel: t.Name}
	if opts.ManagedBy != "" {
		labels[ManagedByLabel] = opts.ManagedBy
	}
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: t.Name, Namespace: t.Namespace, Labels: labels},
		Data:       data,
	}, nil
}

func nonNil[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// toleration is how a template's toleration is kept in its ConfigMap.
type toleration struct {
	Key      string `json:"key,omitempty"`
	Operator string `json:"operator,omitempty"`
	Effect   string `json:"effect,omitempty"`
	Value    string `json:"value,omitempty"`
}

// IsTemplateConfigMap tells whether a ConfigMap holds a compute template.
func IsTemplateConfigMap(cm *corev1.ConfigMap) bool {
	return cm.Labels[ConfigTypeLabel] == ConfigTypeTemplate
}

// ConfigMapToTemplate reads a compute template back from its ConfigMap. Name and namespace are
// the ConfigMap's. An unreadable value is an error naming the ConfigMap and its key. A key that
// is missing, as in the ConfigMap of a template stored before the field existed, leaves its
// field empty.
func ConfigMapToTemplate(cm *corev1.ConfigMap) (*apiv1.ComputeTemplate, error) {
	t, err := templateOf(cm.Data)
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s/%s: %w", cm.Namespace, cm.Name, err)
	}
	t.Name, t.Namespace = cm.Name, cm.Namespace
	return t, nil
}

func templateOf(d map[string]string) (*apiv1.ComputeTemplate, error) {
	t := &apiv1.ComputeTemplate{MemoryUnit: d[keyMemoryUnit], GpuAccelerator: d[keyGPUAccelerator]}
	var err error
	if t.Cpu, err = parseFloat(d, keyCPU); err != nil {
		return nil, err
	}
	if t.Memory, err = parseFloat(d, keyMemory); err != nil {
		return nil, err
	}
	if v := d[keyGPU]; v != "" {
		gpu, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", keyGPU, err)
		}
		t.Gpu = uint32(gpu)
	}
	var tols []toleration
	for _, v := range []struct {
		key  string
		into any
	}{{keyExtendedResources, &t.ExtendedResources}, {keyTolerations, &tols},
		{keyNodeSelector, &t.NodeSelector}} {
		if err := readJSON(d[v.key], v.into); err != nil {
			return nil, fmt.Errorf("key %s: %w", v.key, err)
		}
	}
	for _, tol := range tols {
		t.Tolerations = append(t.Tolerations, &apiv1.PodToleration{Key: tol.Key,
			Operator: tol.Operator, Effect: tol.Effect, Value: tol.Value})
	}
	return t, nil
}

// readJSON decodes a JSON value of a template's ConfigMap; a missing key leaves into unset.
func readJSON(v string, into any) error {
	if v == "" {
		return nil
	}
	return json.Unmarshal([]byte(v), into)
}

func parseFloat(data map[string]string, key string) (float64, error) {
	v, err := strconv.ParseFloat(data[key], 64)
	if err != nil {
		return 0, fmt.Errorf("key %s: %w", key, err)
	}
	return v, nil
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Resources returns the container resources of a template, requests equal to limits: CPU,
// memory, GPUs under the template's accelerator name, and the extended resources.
func Resources(t *apiv1.ComputeTemplate) (corev1.ResourceRequirements, error) {
	mem, err := memoryQuantity(t.Memory, t.MemoryUnit)
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	list := corev1.ResourceList{
		corev1.ResourceCPU:    cpuQuantity(t.Cpu),
		corev1.ResourceMemory: mem,
	}
	if t.Gpu > 0 {
		list[corev1.ResourceName(gpuResource(t))] = *resource.NewQuantity(int64(t.Gpu),
			resource.DecimalSI)
	}
	for _, name := range slices.Sorted(maps.Keys(t.ExtendedResources)) {
		if n := t.ExtendedResources[name]; n > 0 {
			list[corev1.ResourceName(name)] = *resource.NewQuantity(int64(n), resource.DecimalSI)
		}
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}, nil
}

// NodeSelector returns the pod node selector of a template.
func NodeSelector(t *apiv1.ComputeTemplate) map[string]string {
	return cloneMap(t.NodeSelector)
}

// Tolerations returns the pod tolerations of a template.
func Tolerations(t *apiv1.ComputeTemplate) []corev1.Toleration {
	var out []corev1.Toleration
	for _, tol := range t.Tolerations {
		out = append(out, corev1.Toleration{Key: tol.Key,
			Operator: corev1.TolerationOperator(tol.Operator), Value: tol.Value,
			Effect: corev1.TaintEffect(tol.Effect)})
	}
	return out
}

func gpuResource(t *apiv1.ComputeTemplate) string {
	if t.GpuAccelerator != "" {
		return t.GpuAccelerator
	}
	return defaultGPUResource
}

// cpuQuantity is cores in millicores; ValidateComputeTemplate keeps it within range.
func cpuQuantity(cores float64) resource.Quantity {
	return *resource.NewMilliQuantity(int64(math.Round(cores*1000)), resource.DecimalSI)
}

// memoryQuantity is an amount in a unit, rounded up to whole bytes.
func memoryQuantity(amount float64, unit string) (resource.Quantity, error) {
	if unit == "" {
		unit = defaultMemoryUnit
	}
	suffix := unit
	if s, ok := quantitySuffixes[unit]; ok {
		suffix = s
	}
	q, err := resource.ParseQuantity(formatFloat(amount) + suffix)
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("memory %v%s: %w", amount, unit, err)
	}
	q.RoundUp(0)
	return q, nil
}

func cloneTemplate(t *apiv1.ComputeTemplate) *apiv1.ComputeTemplate {
	return proto.Clone(t).(*apiv1.ComputeTemplate)
}
