package raypod

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func TestValidateSpec(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		want    []string
	}{
		"valid": {
			cluster: makeCluster("demo").withWorkers("small", 1).withWorkers("big", 2).obj(),
		},
		"minReplicas above maxReplicas (known case 13)": {
			cluster: makeCluster("demo").withWorkers("small", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
				g.MinReplicas, g.MaxReplicas = ptr.To[int32](3), ptr.To[int32](1)
			}).obj(),
			want: []string{`spec.workerGroupSpecs[0].minReplicas: Invalid value: 3: must not be ` +
				`greater than maxReplicas (1) of group "small"`},
		},
		"negative counts and no hosts": {
			cluster: makeCluster("demo").withWorkers("ok", 1).withWorkers("small", -1).
				withGroup(func(g *rayv1.WorkerGroupSpec) {
					g.MinReplicas, g.MaxReplicas = ptr.To[int32](-2), ptr.To[int32](-3)
					g.NumOfHosts = 0
				}).obj(),
			want: []string{
				`spec.workerGroupSpecs[1].replicas: Invalid value: -1: must not be negative ` +
					`(group "small")`,
				`spec.workerGroupSpecs[1].minReplicas: Invalid value: -2: must not be negative ` +
					`(group "small")`,
				`spec.workerGroupSpecs[1].maxReplicas: Invalid value: -3: must not be negative ` +
					`(group "small")`,
				`spec.workerGroupSpecs[1].minReplicas: Invalid value: -2: must not be greater ` +
					`than maxReplicas (-3) of group "small"`,
				`spec.workerGroupSpecs[1].numOfHosts: Invalid value: 0: must be at least 1 ` +
					`(group "small")`,
			},
		},
		"group names": {
			cluster: makeCluster("demo").withWorkers("small", 1).withWorkers("small", 1).
				withWorkers("headgroup", 1).withWorkers("", 1).withWorkers("Big_GPU", 1).obj(),
			want: []string{
				`spec.workerGroupSpecs[1].groupName: Duplicate value: "small"`,
				`spec.workerGroupSpecs[2].groupName: Invalid value: "headgroup": is reserved ` +
					`for the head pod's ray.io/group label`,
				`spec.workerGroupSpecs[3].groupName: Required value: every worker group needs ` +
					`a name`,
				`spec.workerGroupSpecs[4].groupName: Invalid value: "Big_GPU": must be usable ` +
					`in pod names and label values: a lowercase RFC 1123 subdomain`,
			},
		},
		"no containers": {
			cluster: makeCluster("demo").withHead(func(h *rayv1.HeadGroupSpec) {
				h.Template.Spec.Containers = nil
			}).withWorkers("small", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
				g.Template.Spec.Containers = nil
			}).obj(),
			want: []string{
				`spec.headGroupSpec.template.spec.containers: Required value: the head needs ` +
					`at least one container; the first runs Ray`,
				`spec.workerGroupSpecs[0].template.spec.containers: Required value: group ` +
					`"small" needs at least one container; the first runs Ray`,
			},
		},
		"dotted name with a derived head Service name": {
			cluster: makeCluster("demo.cluster").obj(),
			want: []string{`metadata.name: Invalid value: "demo.cluster": the Service name ` +
				`"demo.cluster-head-svc" derived from it is not a DNS-1035 label`},
		},
		"dotted name with a custom head Service name": {
			cluster: makeCluster("demo.cluster").withHead(func(h *rayv1.HeadGroupSpec) {
				h.HeadService = &corev1.Service{}
				h.HeadService.Name = "demo-head"
			}).withWorkers("small", 1).obj(),
		},
		"dotted name with a custom head Service but multi-host and serve": {
			cluster: makeCluster("demo.cluster").withHead(func(h *rayv1.HeadGroupSpec) {
				h.HeadService = &corev1.Service{}
				h.HeadService.Name = "demo-head"
			}).withAnnotation(EnableServeServiceAnnotation, "true").withWorkers("tpu", 1).
				withGroup(func(g *rayv1.WorkerGroupSpec) { g.NumOfHosts = 2 }).obj(),
			want: []string{
				`metadata.name: Invalid value: "demo.cluster": the Service name ` +
					`"demo.cluster-headless" derived from it is not a DNS-1035 label`,
				`metadata.name: Invalid value: "demo.cluster": the Service name ` +
					`"demo.cluster-serve-svc" derived from it is not a DNS-1035 label`,
			},
		},
		"invalid custom head Service name": {
			cluster: makeCluster("demo").withHead(func(h *rayv1.HeadGroupSpec) {
				h.HeadService = &corev1.Service{}
				h.HeadService.Name = "Head.Svc"
			}).obj(),
			want: []string{`spec.headGroupSpec.headService.metadata.name: Invalid value: ` +
				`"Head.Svc": not a valid Service name`},
		},
		"name too long": {
			cluster: makeCluster(strings.Repeat("a", 54)).obj(),
			want:    []string{`metadata.name: Too long: may not be more than 53 bytes`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateSpec(tc.cluster)
			var got []string
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					got = append(got, e.Error())
				}
			}
			// A wanted message may stop where the validation library's own wording begins.
			if len(got) == len(tc.want) {
				for i := range got {
					if strings.HasPrefix(got[i], tc.want[i]) {
						got[i] = tc.want[i]
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateSpec() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateSpecErrorsAreFieldErrors(t *testing.T) {
	c := makeCluster("demo").withWorkers("small", 1).withGroup(func(g *rayv1.WorkerGroupSpec) {
		g.NumOfHosts = 0
	}).obj()
	var fe *field.Error
	err := ValidateSpec(c)
	if !errors.As(err, &fe) || fe.Field != "spec.workerGroupSpecs[0].numOfHosts" {
		t.Errorf("ValidateSpec() = %v, want a *field.Error for numOfHosts", err)
	}
}
