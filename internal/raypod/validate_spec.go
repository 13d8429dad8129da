package raypod

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// MaxClusterNameLength keeps every derived name (the longest fixed suffix is "-head-ingress")
// within the 63 characters of a DNS label, so that no derived name is ever truncated.
const MaxClusterNameLength = 53

// ValidateSpec reports what the operator refuses to act on: the admission rules, checked again
// because admission can be bypassed (an older CRD, a direct write to storage), and what only the
// operator can see. Each problem is a *field.Error naming the field; they are combined with
// errors.Join, and nil means the spec is usable. The checks: the cluster name (length, and a
// valid Service name wherever one is derived from it), the head Service's own name, a head or
// group template without containers, empty, reserved, duplicate or unusable group names,
// negative replica counts, minReplicas above maxReplicas, numOfHosts below 1, and GCS fault
// tolerance or authentication asked for in ways that disagree.
func ValidateSpec(c *rayv1.RayCluster) error {
	var errs field.ErrorList
	errs = append(errs, validateNames(c)...)
	if len(c.Spec.HeadGroupSpec.Template.Spec.Containers) == 0 {
		errs = append(errs, field.Required(field.NewPath("spec", "headGroupSpec", "template",
			"spec", "containers"), "the head needs at least one container; the first runs Ray"))
	}
	seen := map[string]bool{}
	for i := range c.Spec.WorkerGroupSpecs {
		path := field.NewPath("spec", "workerGroupSpecs").Index(i)
		g := &c.Spec.WorkerGroupSpecs[i]
		errs = append(errs, validateGroupName(path.Child("groupName"), g.GroupName, seen)...)
		errs = append(errs, validateGroup(path, g)...)
	}
	errs = append(errs, validateGCSFaultTolerance(c)...)
	errs = append(errs, validateAuth(c)...)
	return joinFieldErrors(errs)
}

func joinFieldErrors(errs field.ErrorList) error {
	all := make([]error, 0, len(errs))
	for _, e := range errs {
		all = append(all, e)
	}
	return errors.Join(all...)
}

// validateNames checks that every Service name the operator would derive from the cluster name
// is a DNS-1035 label (a name with a dot is a valid RayCluster name but not a valid Service
// name), and that a custom head Service name is one too.
func validateNames(c *rayv1.RayCluster) field.ErrorList {
	var errs field.ErrorList
	namePath := field.NewPath("metadata", "name")
	if len(c.Name) > MaxClusterNameLength {
		errs = append(errs, field.TooLong(namePath, c.Name, MaxClusterNameLength))
	}
	var derived []string
	if hs := c.Spec.HeadGroupSpec.HeadService; hs != nil && hs.Name != "" {
		for _, msg := range validation.IsDNS1035Label(hs.Name) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "headGroupSpec",
				"headService", "metadata", "name"), hs.Name, "not a valid Service name: "+msg))
		}
	} else {
		derived = append(derived, HeadServiceName(c))
	}
	if HeadlessServiceNeeded(c) {
		derived = append(derived, HeadlessServiceName(c))
	}
	if ServeServiceEnabled(c) {
		derived = append(derived, ServeServiceName(c))
	}
	for _, svc := range derived {
		if msgs := validation.IsDNS1035Label(svc); len(msgs) > 0 {
			errs = append(errs, field.Invalid(namePath, c.Name, fmt.Sprintf(
				"the Service name %q derived from it is not a DNS-1035 label (%s); rename the "+
					"cluster (no dots, lower case)", svc, msgs[0])))
		}
	}
	return errs
}

// validateGroupName checks that a group name is present, not reserved, unique, and usable in a
// pod name and a label value.
func validateGroupName(path *field.Path, name string, seen map[string]bool) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, "every worker group needs a name")}
	}
	var errs field.ErrorList
	if name == HeadGroupName {
		errs = append(errs, field.Invalid(path, name,
			"is reserved for the head pod's ray.io/group label"))
	}
	if seen[name] {
		errs = append(errs, field.Duplicate(path, name))
	}
	seen[name] = true
	msgs := append(validation.IsDNS1123Subdomain(name), validation.IsValidLabelValue(name)...)
	if len(msgs) > 0 {
		errs = append(errs, field.Invalid(path, name,
			"must be usable in pod names and label values: "+msgs[0]))
	}
	return errs
}

// validateGroup checks a group's template and counts.
func validateGroup(path *field.Path, g *rayv1.WorkerGroupSpec) field.ErrorList {
	var errs field.ErrorList
	if len(g.Template.Spec.Containers) == 0 {
		errs = append(errs, field.Required(path.Child("template", "spec", "containers"),
			fmt.Sprintf("group %q needs at least one container; the first runs Ray", g.GroupName)))
	}
	counts := []struct {
		name  string
		value *int32
	}{{"replicas", g.Replicas}, {"minReplicas", g.MinReplicas}, {"maxReplicas", g.MaxReplicas}}
	for _, n := range counts {
		if n.value != nil && *n.value < 0 {
			errs = append(errs, field.Invalid(path.Child(n.name), *n.value,
				fmt.Sprintf("must not be negative (group %q)", g.GroupName)))
		}
	}
	if g.MinReplicas != nil && g.MaxReplicas != nil && *g.MinReplicas > *g.MaxReplicas {
		errs = append(errs, field.Invalid(path.Child("minReplicas"), *g.MinReplicas,
			fmt.Sprintf("must not be greater than maxReplicas (%d) of group %q",
				*g.MaxReplicas, g.GroupName)))
	}
	if g.NumOfHosts < 1 {
		errs = append(errs, field.Invalid(path.Child("numOfHosts"), g.NumOfHosts,
			fmt.Sprintf("must be at least 1 (group %q)", g.GroupName)))
	}
	return errs
}
