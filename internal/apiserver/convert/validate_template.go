package convert

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation/field"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// Bounds that keep a template's amounts meaningful and their quantities exact.
const (
	maxCPU         = 1 << 20 // cores
	maxMemoryBytes = 1 << 60 // one exbibyte
)

var (
	tolerationOperators = []string{"", string(corev1.TolerationOpEqual),
		string(corev1.TolerationOpExists)}
	taintEffects = []string{"", string(corev1.TaintEffectNoSchedule),
		string(corev1.TaintEffectPreferNoSchedule), string(corev1.TaintEffectNoExecute)}
)

// ValidateComputeTemplate checks a template to be created in namespace ns: a name that can name
// a ConfigMap and a label value, the request's namespace, positive CPU and memory within range,
// a known memory unit, resource names that Kubernetes accepts, well-formed tolerations, and a
// node selector of label keys and values.
func ValidateComputeTemplate(t *apiv1.ComputeTemplate, ns string) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateObjectName(field.NewPath("name"), t.Name,
		content.IsDNS1123Label)...)
	errs = append(errs, validateNamespace(field.NewPath("namespace"), t.Namespace, ns)...)
	errs = append(errs, validateCPU(field.NewPath("cpu"), t.Cpu)...)
	errs = append(errs, validateMemory(t)...)
	if t.GpuAccelerator != "" {
		errs = append(errs, validateResourceName(field.NewPath("gpuAccelerator"),
			t.GpuAccelerator)...)
	}
	errs = append(errs, validateExtendedResources(t)...)
	for i, tol := range t.Tolerations {
		errs = append(errs, validateToleration(field.NewPath("tolerations").Index(i), tol)...)
	}
	return append(errs, validateNodeSelector(field.NewPath("nodeSelector"), t.NodeSelector)...)
}

// validateNodeSelector checks that every key is a label key and every value a label value; a
// bad value is named by its key.
func validateNodeSelector(path *field.Path, selector map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(selector)) {
		for _, msg := range content.IsLabelKey(k) {
			errs = append(errs, field.Invalid(path, k, msg))
		}
		for _, msg := range content.IsLabelValue(selector[k]) {
			errs = append(errs, field.Invalid(path.Key(k), selector[k], msg))
		}
	}
	return errs
}

// validateExtendedResources checks the names of the extended resources, and that none is the
// resource the template's GPUs are counted in, which would give that resource two amounts.
func validateExtendedResources(t *apiv1.ComputeTemplate) field.ErrorList {
	var errs field.ErrorList
	for _, name := range slices.Sorted(maps.Keys(t.ExtendedResources)) {
		path := field.NewPath("extendedResources").Key(name)
		errs = append(errs, validateResourceName(path, name)...)
		if t.Gpu > 0 && name == gpuResource(t) {
			errs = append(errs, field.Invalid(path, t.ExtendedResources[name], fmt.Sprintf(
				"is the GPU resource, whose amount gpu (%d) already gives", t.Gpu)))
		}
	}
	return errs
}

func validateCPU(path *field.Path, cpu float64) field.ErrorList {
	switch {
	case math.IsNaN(cpu) || cpu <= 0:
		return field.ErrorList{field.Invalid(path, cpu, "must be positive")}
	case cpu > maxCPU:
		return field.ErrorList{field.Invalid(path, cpu, fmt.Sprintf("must be at most %d", maxCPU))}
	case math.Round(cpu*1000) < 1:
		return field.ErrorList{field.Invalid(path, cpu, "must be at least 0.001 (1m)")}
	}
	return nil
}

// validateMemory checks that memory, in its unit, is between one byte and one exbibyte. Less
// than a byte would silently become one byte.
func validateMemory(t *apiv1.ComputeTemplate) field.ErrorList {
	unitPath, path := field.NewPath("memoryUnit"), field.NewPath("memory")
	if t.MemoryUnit != "" && !slices.Contains(memoryUnits, t.MemoryUnit) {
		return field.ErrorList{field.NotSupported(unitPath, t.MemoryUnit, memoryUnits)}
	}
	switch {
	case math.IsNaN(t.Memory) || t.Memory <= 0:
		return field.ErrorList{field.Invalid(path, t.Memory, "must be positive")}
	case math.IsInf(t.Memory, 1):
		return field.ErrorList{field.Invalid(path, t.Memory, "must be finite")}
	}
	// The quantity of a huge amount would be a number of hundreds of digits: compare in bytes,
	// as a float, first. The unit is a known one, whose quantity parses.
	unit, _ := memoryQuantity(1, t.MemoryUnit)
	switch bytes := t.Memory * unit.AsApproximateFloat64(); {
	case bytes > maxMemoryBytes:
		return field.ErrorList{field.Invalid(path, t.Memory, "must be at most 1Ei")}
	case bytes < 1:
		return field.ErrorList{field.Invalid(path, t.Memory, "must be at least one byte")}
	}
	if _, err := memoryQuantity(t.Memory, t.MemoryUnit); err != nil {
		return field.ErrorList{field.Invalid(path, t.Memory, err.Error())}
	}
	return nil
}

// validateResourceName accepts what Kubernetes accepts as an extended resource name: a
// qualified name with a domain prefix, such as nvidia.com/gpu.
func validateResourceName(path *field.Path, name string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range content.IsLabelKey(name) {
		errs = append(errs, field.Invalid(path, name, msg))
	}
	if len(errs) == 0 && !strings.Contains(name, "/") {
		errs = append(errs, field.Invalid(path, name,
			"must have a domain prefix, as nvidia.com/gpu has"))
	}
	return errs
}

func validateToleration(path *field.Path, tol *apiv1.PodToleration) field.ErrorList {
	if tol == nil {
		return field.ErrorList{field.Required(path, "a toleration must not be null")}
	}
	var errs field.ErrorList
	if !slices.Contains(tolerationOperators, tol.Operator) {
		errs = append(errs, field.NotSupported(path.Child("operator"), tol.Operator,
			tolerationOperators[1:]))
	}
	if !slices.Contains(taintEffects, tol.Effect) {
		errs = append(errs, field.NotSupported(path.Child("effect"), tol.Effect, taintEffects[1:]))
	}
	if tol.Key != "" {
		for _, msg := range content.IsLabelKey(tol.Key) {
			errs = append(errs, field.Invalid(path.Child("key"), tol.Key, msg))
		}
	}
	exists := tol.Operator == string(corev1.TolerationOpExists)
	if tol.Key == "" && !exists {
		errs = append(errs, field.Invalid(path.Child("operator"), tol.Operator,
			"must be Exists when key is empty"))
	}
	if exists && tol.Value != "" {
		errs = append(errs, field.Invalid(path.Child("value"), tol.Value,
			"must be empty when operator is Exists"))
	}
	for _, msg := range content.IsLabelValue(tol.Value) {
		errs = append(errs, field.Invalid(path.Child("value"), tol.Value, msg))
	}
	return errs
}

// validateObjectName checks a required object name with one of apimachinery's name checks.
func validateObjectName(path *field.Path, name string,
	check func(string) []string) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, "")}
	}
	var errs field.ErrorList
	for _, msg := range check(name) {
		errs = append(errs, field.Invalid(path, name, msg))
	}
	return errs
}

// validateNamespace checks that the namespace of a body is given and is the request's.
func validateNamespace(path *field.Path, got, want string) field.ErrorList {
	switch {
	case got == "":
		return field.ErrorList{field.Required(path, "must be the namespace of the request, "+
			fmt.Sprintf("%q", want))}
	case got != want:
		return field.ErrorList{field.Invalid(path, got,
			fmt.Sprintf("must be the namespace of the request, %q", want))}
	}
	return nil
}
