package raypod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func TestNames(t *testing.T) {
	plain := makeCluster("demo").obj()
	custom := makeCluster("demo").withHead(func(h *rayv1.HeadGroupSpec) {
		h.HeadService = &corev1.Service{}
		h.HeadService.Name = "my-head"
		h.Template.Spec.ServiceAccountName = "my-sa"
	}).obj()
	cases := map[string]struct {
		got, want string
	}{
		"head service":           {HeadServiceName(plain), "demo-head-svc"},
		"custom head service":    {HeadServiceName(custom), "my-head"},
		"head pod prefix":        {HeadPodGenerateName(plain), "demo-head-"},
		"worker pod prefix":      {WorkerPodGenerateName(plain, "small"), "demo-small-worker-"},
		"headless service":       {HeadlessServiceName(plain), "demo-headless"},
		"serve service":          {ServeServiceName(plain), "demo-serve-svc"},
		"ingress":                {IngressName(plain), "demo-head-ingress"},
		"service account":        {AutoscalerServiceAccountName(plain), "demo"},
		"custom service account": {AutoscalerServiceAccountName(custom), "my-sa"},
		"role":                   {AutoscalerRoleName(plain), "demo"},
		"fqdn": {HeadServiceFQDN(plain, Options{}),
			"demo-head-svc.ns.svc.cluster.local"},
		"fqdn with a domain": {HeadServiceFQDN(custom, Options{ClusterDomain: "c.example"}),
			"my-head.ns.svc.c.example"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("name mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPredicates(t *testing.T) {
	cases := map[string]struct {
		cluster                              *rayv1.RayCluster
		wantServe, wantIngress, wantHeadless bool
		wantAutoscaling                      bool
	}{
		"nothing asked": {
			cluster: makeCluster("demo").withWorkers("small", 1).obj(),
		},
		"everything asked": {
			cluster: makeCluster("demo").withAnnotation(EnableServeServiceAnnotation, "true").
				autoscaling().withHead(func(h *rayv1.HeadGroupSpec) { h.EnableIngress = ptr.To(true) }).
				withWorkers("small", 1).withWorkers("tpu", 1).
				withGroup(func(g *rayv1.WorkerGroupSpec) { g.NumOfHosts = 2 }).obj(),
			wantServe: true, wantIngress: true, wantHeadless: true, wantAutoscaling: true,
		},
		"serve annotation must be exactly true": {
			cluster: makeCluster("demo").withAnnotation(EnableServeServiceAnnotation, "yes").obj(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := []bool{ServeServiceEnabled(tc.cluster), IngressEnabled(tc.cluster),
				HeadlessServiceNeeded(tc.cluster), AutoscalingEnabled(tc.cluster)}
			want := []bool{tc.wantServe, tc.wantIngress, tc.wantHeadless, tc.wantAutoscaling}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[serve ingress headless autoscaling] mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
