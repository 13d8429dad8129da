package raypod

import (
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// BuildHeadService builds the head Service. Every port of the head's Ray container becomes a
// Service port of the same number (an unnamed one named <port>-port); a container without ports
// gives the default Ray ports client, gcs-server, dashboard, metrics and serve; metrics is added
// when missing. Its type is headGroupSpec.serviceType, else the type of a user-supplied
// headService, else ClusterIP. A user-supplied headService is the base: its labels,
// annotations, ports and other spec fields are kept, the name defaults as in HeadServiceName,
// the namespace, owner and selector are forced, and the container's ports are added unless a
// port of the same name or number is already there. spec.headServiceAnnotations are laid over
// the annotations. It fails only when the head template has no container.
func BuildHeadService(c *rayv1.RayCluster, opts Options) (*corev1.Service, error) {
	h := &c.Spec.HeadGroupSpec
	if len(h.Template.Spec.Containers) == 0 {
		return nil, fmt.Errorf("spec.headGroupSpec.template.spec.containers is empty: " +
			"the head Service takes its ports from the first container")
	}
	ray := &h.Template.Spec.Containers[0]
	ports := servicePorts(headContainerPorts(ray.Ports, headStartParams(c, ray)))

	svc := &corev1.Service{}
	if h.HeadService != nil {
		base := h.HeadService.DeepCopy()
		svc.Spec = base.Spec
		svc.Labels = base.Labels
		svc.Annotations = base.Annotations
	}
	labels := objectLabels(c, opts, HeadNodeType)
	maps.Copy(labels, svc.Labels)
	labels[ClusterLabel] = c.Name
	labels[NodeTypeLabel] = HeadNodeType
	svc.ObjectMeta = withAnnotations(ownedMeta(c, HeadServiceName(c), labels),
		svc.Annotations, c.Spec.HeadServiceAnnotations)

	svc.Spec.Selector = HeadServiceSelector(c)
	switch {
	case h.ServiceType != "":
		svc.Spec.Type = h.ServiceType
	case svc.Spec.Type == "":
		svc.Spec.Type = corev1.ServiceTypeClusterIP
	}
	for _, p := range ports {
		svc.Spec.Ports = appendServicePort(svc.Spec.Ports, p)
	}
	return svc, nil
}

// withAnnotations sets the union of the given annotation maps, later maps winning.
func withAnnotations(meta metav1.ObjectMeta, sources ...map[string]string) metav1.ObjectMeta {
	for _, src := range sources {
		if len(src) == 0 {
			continue
		}
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		maps.Copy(meta.Annotations, src)
	}
	return meta
}

// BuildHeadlessService builds the headless Service of the workers. It gives every worker pod a
// DNS name (pods of multi-host groups use it as their subdomain), including pods that are not
// ready yet, since the hosts of a replica must find each other before Ray reports ready.
func BuildHeadlessService(c *rayv1.RayCluster, opts Options) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: ownedMeta(c, HeadlessServiceName(c), objectLabels(c, opts, WorkerNodeType)),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			Selector:                 map[string]string{ClusterLabel: c.Name, NodeTypeLabel: WorkerNodeType},
			PublishNotReadyAddresses: true,
		},
	}
}

// BuildServeService builds the ClusterIP Service in front of Ray Serve's HTTP proxies. It
// selects the cluster's pods that carry ray.io/serve=true: every Ray pod does by default while
// the serve Service is enabled, and a template can set the label to "false" to keep a group out
// (for example workers that run no Serve replicas, hence no proxy). The port is the head
// container's port named serve, or 8000.
func BuildServeService(c *rayv1.RayCluster, opts Options) *corev1.Service {
	port := int32(DefaultServePort)
	if ctrs := c.Spec.HeadGroupSpec.Template.Spec.Containers; len(ctrs) > 0 {
		for _, p := range ctrs[0].Ports {
			if p.Name == ServePortName {
				port = p.ContainerPort
			}
		}
	}
	return &corev1.Service{
		ObjectMeta: ownedMeta(c, ServeServiceName(c), objectLabels(c, opts, "")),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{ClusterLabel: c.Name, ServeLabel: "true"},
			Ports: []corev1.ServicePort{{
				Name:       ServePortName,
				Protocol:   corev1.ProtocolTCP,
				Port:       port,
				TargetPort: intstr.FromInt32(port),
			}},
		},
	}
}
