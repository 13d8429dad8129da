package convert

import (
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// headGroupName is the ray.io/group label of the head pod, so no worker group may take it.
const headGroupName = "headgroup"

var (
	pullPolicies = []string{"", string(corev1.PullAlways), string(corev1.PullIfNotPresent)}
	serviceTypes = []string{"", string(corev1.ServiceTypeClusterIP),
		string(corev1.ServiceTypeNodePort), string(corev1.ServiceTypeLoadBalancer)}
	upscalingModes = []string{"", "Default", "Aggressive", "Conservative"}
)

// ValidateCluster checks a cluster to be created in namespace ns and names every bad field by
// its JSON path, such as clusterSpec.workerGroupSpec[0].groupName. It checks what can be checked
// without the Kubernetes API; whether the compute templates exist is the caller's to check.
func ValidateCluster(c *apiv1.Cluster, ns string) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateClusterName(c.Name)...)
	errs = append(errs, validateNamespace(field.NewPath("namespace"), c.Namespace, ns)...)
	if c.User == "" {
		errs = append(errs, field.Required(field.NewPath("user"), "who the cluster is for"))
	}
	errs = append(errs, validateLabelValue(field.NewPath("user"), c.User)...)
	errs = append(errs, validateLabelValue(field.NewPath("version"), c.Version)...)
	errs = append(errs, ValidateEnum(field.NewPath("environment"), c.Environment)...)
	errs = append(errs, apivalidation.ValidateAnnotations(c.Annotations,
		field.NewPath("annotations"))...)
	errs = append(errs, validateEnv(field.NewPath("envs"), c.Envs)...)

	specPath := field.NewPath("clusterSpec")
	spec := c.ClusterSpec
	if spec == nil {
		return append(errs, field.Required(specPath, "the head and worker groups"))
	}
	errs = append(errs, validateHead(specPath.Child("headGroupSpec"), spec.HeadGroupSpec)...)
	seen := map[string]bool{}
	for i, w := range spec.WorkerGroupSpec {
		errs = append(errs, validateWorker(specPath.Child("workerGroupSpec").Index(i), w, seen)...)
	}
	errs = append(errs, apivalidation.ValidateAnnotations(spec.HeadServiceAnnotations,
		specPath.Child("headServiceAnnotations"))...)
	if o := spec.AutoscalerOptions; o != nil {
		errs = append(errs, validateAutoscaler(specPath.Child("autoscalerOptions"), o)...)
	}
	return errs
}

func validateClusterName(name string) field.ErrorList {
	path := field.NewPath("name")
	errs := validateObjectName(path, name, validation.IsDNS1035Label)
	if len(name) > raypod.MaxClusterNameLength {
		errs = append(errs, field.TooLong(path, name, raypod.MaxClusterNameLength))
	}
	return errs
}

func validateLabelValue(path *field.Path, value string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range content.IsLabelValue(value) {
		errs = append(errs, field.Invalid(path, value, msg+" (it is kept as a label)"))
	}
	return errs
}

func validateHead(path *field.Path, h *apiv1.HeadGroupSpec) field.ErrorList {
	if h == nil {
		return field.ErrorList{field.Required(path, "every cluster has a head")}
	}
	errs := validateGroup(path, headGroup(h))
	if !slices.Contains(serviceTypes, h.ServiceType) {
		errs = append(errs, field.NotSupported(path.Child("serviceType"), h.ServiceType,
			serviceTypes[1:]))
	}
	return append(errs, validateStartParams(path.Child("rayStartParams"), h.RayStartParams)...)
}

func validateWorker(path *field.Path, w *apiv1.WorkerGroupSpec,
	seen map[string]bool) field.ErrorList {
	if w == nil {
		return field.ErrorList{field.Required(path, "a worker group must not be null")}
	}
	var errs field.ErrorList
	namePath := path.Child("groupName")
	switch {
	case w.GroupName == "":
		errs = append(errs, field.Required(namePath, "every worker group needs a name"))
	case seen[w.GroupName]:
		errs = append(errs, field.Duplicate(namePath, w.GroupName))
	case w.GroupName == headGroupName:
		errs = append(errs, field.Invalid(namePath, w.GroupName, "is reserved for the head"))
	default:
		for _, msg := range content.IsDNS1123Label(w.GroupName) {
			errs = append(errs, field.Invalid(namePath, w.GroupName, msg))
		}
	}
	seen[w.GroupName] = true
	errs = append(errs, validateGroup(path, workerGroup(w))...)
	errs = append(errs, validateReplicas(path, w)...)
	return append(errs, validateStartParams(path.Child("rayStartParams"), w.RayStartParams)...)
}

// validateReplicas checks that 0 <= minReplicas <= replicas <= maxReplicas and maxReplicas > 0.
// The operator would bring replicas within the bounds on its own, so a number out of them is
// refused rather than changed behind the user's back. replicas is compared with bounds that
// are valid themselves, so that one mistake gives one message.
func validateReplicas(path *field.Path, w *apiv1.WorkerGroupSpec) field.ErrorList {
	var errs field.ErrorList
	for _, f := range []struct {
		name  string
		value int32
	}{{"replicas", w.Replicas}, {"minReplicas", w.MinReplicas}, {"maxReplicas", w.MaxReplicas}} {
		if f.value < 0 {
			errs = append(errs, field.Invalid(path.Child(f.name), f.value, "must not be negative"))
		}
	}
	switch {
	case w.MaxReplicas == 0:
		errs = append(errs, field.Invalid(path.Child("maxReplicas"), w.MaxReplicas,
			"must be greater than 0"))
	case w.MinReplicas > w.MaxReplicas:
		errs = append(errs, field.Invalid(path.Child("minReplicas"), w.MinReplicas,
			fmt.Sprintf("must not be greater than maxReplicas (%d)", w.MaxReplicas)))
	case w.MinReplicas < 0 || w.MaxReplicas < 0 || w.Replicas < 0:
	case w.Replicas > w.MaxReplicas:
		errs = append(errs, field.Invalid(path.Child("replicas"), w.Replicas,
			fmt.Sprintf("must not be greater than maxReplicas (%d)", w.MaxReplicas)))
	case w.Replicas < w.MinReplicas:
		errs = append(errs, field.Invalid(path.Child("replicas"), w.Replicas,
			fmt.Sprintf("must not be less than minReplicas (%d)", w.MinReplicas)))
	}
	return errs
}

// validateGroup checks the fields the head and the workers share.
func validateGroup(path *field.Path, g group) field.ErrorList {
	var errs field.ErrorList
	if g.computeTemplate == "" {
		errs = append(errs, field.Required(path.Child("computeTemplate"),
			"the name of the compute template that sizes the group"))
	} else {
		errs = append(errs, validateObjectName(path.Child("computeTemplate"), g.computeTemplate,
			content.IsDNS1123Subdomain)...)
	}
	if !slices.Contains(pullPolicies, g.imagePullPolicy) {
		errs = append(errs, field.NotSupported(path.Child("imagePullPolicy"), g.imagePullPolicy,
			pullPolicies[1:]))
	}
	errs = append(errs, validateOptionalName(path.Child("serviceAccount"), g.serviceAccount)...)
	errs = append(errs, validateOptionalName(path.Child("imagePullSecret"), g.imagePullSecret)...)
	errs = append(errs, validateVolumes(path.Child("volumes"), g.volumes)...)
	errs = append(errs, validateEnv(path.Child("environment"), g.env)...)
	errs = append(errs, apivalidation.ValidateAnnotations(g.annotations,
		path.Child("annotations"))...)
	errs = append(errs, metav1validation.ValidateLabels(g.labels, path.Child("labels"))...)
	errs = append(errs, validateSecurityContext(path.Child("securityContext"),
		g.securityContext)...)
	return errs
}

func validateOptionalName(path *field.Path, name string) field.ErrorList {
	if name == "" {
		return nil
	}
	return validateObjectName(path, name, content.IsDNS1123Subdomain)
}

func validateStartParams(path *field.Path, params map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if k == "" {
			errs = append(errs, field.Invalid(path, k, "a parameter needs a name"))
		}
	}
	return errs
}

func validateSecurityContext(path *field.Path, sc *apiv1.SecurityContext) field.ErrorList {
	var errs field.ErrorList
	capsPath := path.Child("capabilities")
	caps := sc.GetCapabilities()
	for _, list := range []struct {
		name  string
		names []string
	}{{"add", caps.GetAdd()}, {"drop", caps.GetDrop()}} {
		for i, c := range list.names {
			if c == "" {
				errs = append(errs, field.Required(capsPath.Child(list.name).Index(i),
					"a capability name, such as SYS_PTRACE"))
			}
		}
	}
	return errs
}

func validateAutoscaler(path *field.Path, o *apiv1.AutoscalerOptions) field.ErrorList {
	var errs field.ErrorList
	if o.IdleTimeoutSeconds < 0 {
		errs = append(errs, field.Invalid(path.Child("idleTimeoutSeconds"), o.IdleTimeoutSeconds,
			"must not be negative"))
	}
	if !slices.Contains(upscalingModes, o.UpscalingMode) {
		errs = append(errs, field.NotSupported(path.Child("upscalingMode"), o.UpscalingMode,
			upscalingModes[1:]))
	}
	if !slices.Contains(pullPolicies, o.ImagePullPolicy) {
		errs = append(errs, field.NotSupported(path.Child("imagePullPolicy"), o.ImagePullPolicy,
			pullPolicies[1:]))
	}
	errs = append(errs, validateQuantity(path.Child("cpu"), o.Cpu)...)
	errs = append(errs, validateQuantity(path.Child("memory"), o.Memory)...)
	return append(errs, validateEnv(path.Child("envs"), o.Envs)...)
}

// validateQuantity checks an optional Kubernetes quantity that must be positive.
func validateQuantity(path *field.Path, v string) field.ErrorList {
	if v == "" {
		return nil
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return field.ErrorList{field.Invalid(path, v, "not a quantity such as 500m or 1Gi")}
	}
	if q.Sign() <= 0 {
		return field.ErrorList{field.Invalid(path, v, "must be positive")}
	}
	return nil
}
