package raypod

import (
	"maps"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// IngressClassAnnotation on the RayCluster chooses the Ingress class, as it does on Ingresses
// written by hand.
const IngressClassAnnotation = "kubernetes.io/ingress.class"

// BuildIngress builds the Ingress that routes to the dashboard port of the head Service, with
// the host, path (default "/"), path type (default Prefix) and TLS of
// headGroupSpec.ingressOptions. The RayCluster's annotations are copied, except the operator's
// own (ray.io/) and kubectl's, because ingress controllers are configured through annotations
// and users of KubeRay put them on the cluster; kubernetes.io/ingress.class becomes
// spec.ingressClassName.
func BuildIngress(c *rayv1.RayCluster, opts Options) *networkingv1.Ingress {
	path, pathType := "/", networkingv1.PathTypePrefix
	var host string
	var tls []networkingv1.IngressTLS
	if o := c.Spec.HeadGroupSpec.IngressOptions; o != nil {
		o = o.DeepCopy()
		if o.Host != nil {
			host = *o.Host
		}
		if o.Path != nil {
			path = *o.Path
		}
		if o.PathType != nil {
			pathType = networkingv1.PathType(*o.PathType)
		}
		tls = o.TLS
	}

	backend := networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
		Name: HeadServiceName(c),
		Port: networkingv1.ServiceBackendPort{Number: portParam(
			c.Spec.HeadGroupSpec.RayStartParams, "dashboard-port", DefaultDashboardPort)},
	}}
	ing := &networkingv1.Ingress{
		ObjectMeta: ownedMeta(c, IngressName(c), objectLabels(c, opts, HeadNodeType)),
		Spec: networkingv1.IngressSpec{
			TLS: tls,
			Rules: []networkingv1.IngressRule{{
				Host: host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{Path: path, PathType: &pathType, Backend: backend}},
				}},
			}},
		},
	}
	ing.Annotations = ingressAnnotations(c.Annotations)
	if class, ok := c.Annotations[IngressClassAnnotation]; ok && class != "" {
		ing.Spec.IngressClassName = &class
	}
	return ing
}

func ingressAnnotations(clusterAnnotations map[string]string) map[string]string {
	out := maps.Clone(clusterAnnotations)
	maps.DeleteFunc(out, func(k, _ string) bool {
		return k == IngressClassAnnotation || strings.HasPrefix(k, "ray.io/") ||
			strings.HasPrefix(k, "kubectl.kubernetes.io/")
	})
	if len(out) == 0 {
		return nil
	}
	return out
}
