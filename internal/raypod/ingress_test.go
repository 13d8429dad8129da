package raypod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func wantIngress(host, path string, pathType networkingv1.PathType,
	port int32) *networkingv1.Ingress {
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{
			Name:      "demo-head-ingress",
			Namespace: "ns",
			Labels: map[string]string{ClusterLabel: "demo", NodeTypeLabel: "head",
				IdentifierLabel: "demo-head", AppNameLabel: "kuberay",
				CreatedByLabel: "kuberay-operator"},
			OwnerReferences: wantOwner(),
		},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			Host: host,
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{
					Path:     path,
					PathType: &pathType,
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
						Name: "demo-head-svc",
						Port: networkingv1.ServiceBackendPort{Number: port},
					}},
				}},
			}},
		}}},
	}
}

func TestBuildIngress(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		want    *networkingv1.Ingress
	}{
		"defaults": {
			cluster: makeCluster("demo").obj(),
			want:    wantIngress("", "/", networkingv1.PathTypePrefix, 8265),
		},
		"options, dashboard port, annotations and class": {
			cluster: makeCluster("demo").withHeadParams("dashboard-port", "9000").
				withAnnotation(IngressClassAnnotation, "nginx").
				withAnnotation("nginx.ingress.kubernetes.io/rewrite-target", "/$1").
				withAnnotation(EnableServeServiceAnnotation, "true").
				withAnnotation("kubectl.kubernetes.io/last-applied-configuration", "{}").
				withHead(func(h *rayv1.HeadGroupSpec) {
					h.IngressOptions = &rayv1.IngressOptions{
						Host:     ptr.To("ray.example.com"),
						Path:     ptr.To("/ray/(.*)"),
						PathType: ptr.To(rayv1.IngressPathType("ImplementationSpecific")),
						TLS: []networkingv1.IngressTLS{{Hosts: []string{"ray.example.com"},
							SecretName: "tls"}},
					}
				}).obj(),
			want: func() *networkingv1.Ingress {
				ing := wantIngress("ray.example.com", "/ray/(.*)",
					networkingv1.PathTypeImplementationSpecific, 9000)
				ing.Annotations = pairs("nginx.ingress.kubernetes.io/rewrite-target", "/$1")
				ing.Spec.IngressClassName = ptr.To("nginx")
				ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"ray.example.com"},
					SecretName: "tls"}}
				return ing
			}(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, BuildIngress(tc.cluster, Options{})); diff != "" {
				t.Errorf("BuildIngress() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
