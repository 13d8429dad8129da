package kubectlray

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// gpuResource is the resource name the GPU flags ask for.
const gpuResource corev1.ResourceName = "nvidia.com/gpu"

// clusterFlags are the flags of `kubectl ray create cluster`.
type clusterFlags struct {
	name        string
	namespace   string
	rayVersion  string
	image       string
	head        resourceFlags
	worker      groupFlags
	labels      map[string]string
	annotations map[string]string
}

// groupFlags describe one worker group. prefix is what its flags' names start with ("worker-"
// in `create cluster`, nothing in `create workergroup`), so that messages name the flag typed.
type groupFlags struct {
	prefix      string
	name        string
	image       string
	replicas    int32
	minReplicas int32
	// maxReplicas is nil when the flag was not given: the CRD's default (no limit) applies.
	maxReplicas *int32
	resources   resourceFlags
}

// resourceFlags are the CPU, memory and GPU of one Ray container, as typed; prefix starts
// the flags' names ("head-", "worker-" or nothing).
type resourceFlags struct {
	prefix string
	cpu    string
	memory string
	gpu    string
}

// rayVersionPattern is what a Ray release number looks like (2.52.0, 2.9.3rc1).
var rayVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*$`)

// newCluster builds the RayCluster that f describes, or says which flag is wrong. What it
// builds passes the CRD's admission rules: a valid name, containers in every group, a worker
// group with a valid name and consistent replica bounds.
func newCluster(f *clusterFlags) (*rayv1.RayCluster, error) {
	if err := validateClusterName(f.name); err != nil {
		return nil, err
	}
	if !rayVersionPattern.MatchString(f.rayVersion) {
		return nil, fmt.Errorf("--ray-version %q is not a Ray release number such as 2.52.0",
			f.rayVersion)
	}
	image := f.image
	if image == "" {
		image = "rayproject/ray:" + f.rayVersion
	}
	headResources, err := f.head.requirements()
	if err != nil {
		return nil, err
	}
	f.worker.image = image
	group, err := newWorkerGroup(&f.worker)
	if err != nil {
		return nil, err
	}
	if err := validateMeta(f.labels, f.annotations); err != nil {
		return nil, err
	}

	return &rayv1.RayCluster{
		TypeMeta: metav1.TypeMeta{APIVersion: rayv1.GroupVersion.String(), Kind: "RayCluster"},
		ObjectMeta: metav1.ObjectMeta{
			Name: f.name, Namespace: f.namespace, Labels: f.labels, Annotations: f.annotations,
		},
		Spec: rayv1.RayClusterSpec{
			RayVersion: f.rayVersion,
			HeadGroupSpec: rayv1.HeadGroupSpec{
				RayStartParams: map[string]string{},
				Template:       podTemplate("ray-head", image, headResources),
			},
			WorkerGroupSpecs: []rayv1.WorkerGroupSpec{*group},
		},
	}, nil
}

// newWorkerGroup builds the worker group that f describes, or says which flag is wrong.
func newWorkerGroup(f *groupFlags) (*rayv1.WorkerGroupSpec, error) {
	if err := validateGroupName(f); err != nil {
		return nil, err
	}
	if f.image == "" {
		return nil, errors.New("--image must not be empty")
	}
	counts := []struct {
		flag string
		n    *int32
	}{{"replicas", &f.replicas}, {"min-replicas", &f.minReplicas}, {"max-replicas", f.maxReplicas}}
	for _, c := range counts {
		if c.n != nil && *c.n < 0 {
			return nil, fmt.Errorf("--%s%s must be 0 or more, not %d", f.prefix, c.flag, *c.n)
		}
	}
	if err := checkBounds(f.replicas, f.minReplicas, f.maxReplicas, "--"+f.prefix); err != nil {
		return nil, err
	}
	res, err := f.resources.requirements()
	if err != nil {
		return nil, err
	}
	return &rayv1.WorkerGroupSpec{
		GroupName:      f.name,
		Replicas:       ptr.To(f.replicas),
		MinReplicas:    ptr.To(f.minReplicas),
		MaxReplicas:    f.maxReplicas,
		NumOfHosts:     1,
		RayStartParams: map[string]string{},
		Template:       podTemplate("ray-worker", f.image, res),
	}, nil
}

// checkBounds refuses replicas outside [min, max]; max nil means no upper bound. flagPrefix
// starts the flag names in the message.
func checkBounds(replicas, minReplicas int32, maxReplicas *int32, flagPrefix string) error {
	if maxReplicas != nil && minReplicas > *maxReplicas {
		return fmt.Errorf("%smin-replicas %d is greater than %smax-replicas %d",
			flagPrefix, minReplicas, flagPrefix, *maxReplicas)
	}
	if replicas < minReplicas {
		return fmt.Errorf("%sreplicas %d is below %smin-replicas %d",
			flagPrefix, replicas, flagPrefix, minReplicas)
	}
	if maxReplicas != nil && replicas > *maxReplicas {
		return fmt.Errorf("%sreplicas %d is above %smax-replicas %d",
			flagPrefix, replicas, flagPrefix, *maxReplicas)
	}
	return nil
}

// validateClusterName applies the rules admission applies to a RayCluster's name.
func validateClusterName(name string) error {
	if len(name) > raypod.MaxClusterNameLength {
		return fmt.Errorf("cluster name %q is %d characters long; at most %d are allowed, "+
			"so that the names derived from it stay valid", name, len(name), raypod.MaxClusterNameLength)
	}
	if msgs := validation.IsDNS1035Label(name); len(msgs) > 0 {
		return fmt.Errorf("cluster name %q is not valid: %s", name, strings.Join(msgs, "; "))
	}
	return nil
}

// validateGroupName checks a worker group's name: it becomes a label value and part of pod
// names, and the head's group name is reserved.
func validateGroupName(f *groupFlags) error {
	what := "worker group name"
	if f.prefix != "" {
		what = "--" + f.prefix + "group"
	}
	if f.name == raypod.HeadGroupName {
		return fmt.Errorf("%s %q is reserved for the head pod", what, f.name)
	}
	if msgs := validation.IsDNS1123Label(f.name); len(msgs) > 0 {
		return fmt.Errorf("%s %q is not valid: %s", what, f.name, strings.Join(msgs, "; "))
	}
	return nil
}

// validateMeta checks the labels and annotations given with --labels and --annotations.
func validateMeta(labels, annotations map[string]string) error {
	if errs := metav1validation.ValidateLabels(labels, field.NewPath("--labels")); len(errs) > 0 {
		return errs.ToAggregate()
	}
	errs := apivalidation.ValidateAnnotations(annotations, field.NewPath("--annotations"))
	return errs.ToAggregate()
}

// requirements turns the flags into the container's resources: CPU and memory requested and
// limited to the same amount, so the pod's Ray resources match what it is given, and GPUs
// as a limit (Kubernetes requests as many as the limit).
func (f *resourceFlags) requirements() (corev1.ResourceRequirements, error) {
	cpu, err := parsePositive("--"+f.prefix+"cpu", f.cpu)
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	memory, err := parsePositive("--"+f.prefix+"memory", f.memory)
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	gpu, err := resource.ParseQuantity(f.gpu)
	if err != nil || gpu.Sign() < 0 || gpu.MilliValue()%1000 != 0 {
		return corev1.ResourceRequirements{}, fmt.Errorf(
			"--%sgpu %q is not a whole number of GPUs (0, 1, 2, ...)", f.prefix, f.gpu)
	}

	amounts := corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: memory}
	res := corev1.ResourceRequirements{Requests: amounts, Limits: amounts.DeepCopy()}
	if !gpu.IsZero() {
		res.Limits[gpuResource] = gpu
	}
	return res, nil
}

// parsePositive parses the quantity value of flag and refuses zero and negative amounts.
func parsePositive(flag, value string) (resource.Quantity, error) {
	q, err := resource.ParseQuantity(value)
	if err != nil {
		return q, fmt.Errorf("%s %q is not a quantity such as 2, 500m or 4Gi", flag, value)
	}
	if q.Sign() <= 0 {
		return q, fmt.Errorf("%s must be more than 0, not %q", flag, value)
	}
	return q, nil
}

// podTemplate is the pod template of one Ray container.
func podTemplate(container, image string, res corev1.ResourceRequirements) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: container, Image: image, Resources: res,
	}}}}
}
