package raypod

import (
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Names of the ports the operator adds to the head's Ray container and the head Service.
const (
	ClientPortName    = "client"
	GCSPortName       = "gcs-server"
	DashboardPortName = "dashboard"
	MetricsPortName   = "metrics"
	ServePortName     = "serve"
)

// headContainerPorts are the ports of the head's Ray container: the user's plus metrics, or,
// when the user lists none, every default Ray port. Default numbers follow rayStartParams
// (port, dashboard-port, ray-client-server-port, metrics-export-port), so that the Service
// reaches the processes where they actually listen.
func headContainerPorts(ports []corev1.ContainerPort,
	params map[string]string) []corev1.ContainerPort {
	if len(ports) > 0 {
		return withMetricsPort(ports, params)
	}
	defaults := []corev1.ContainerPort{
		tcpPort(ClientPortName, portParam(params, "ray-client-server-port", DefaultClientPort)),
		tcpPort(GCSPortName, portParam(params, "port", DefaultGCSPort)),
		tcpPort(DashboardPortName, portParam(params, "dashboard-port", DefaultDashboardPort)),
		tcpPort(MetricsPortName, metricsPort(params)),
		tcpPort(ServePortName, DefaultServePort),
	}
	var out []corev1.ContainerPort
	for _, p := range defaults {
		out = appendContainerPort(out, p)
	}
	return out
}

// withMetricsPort adds the metrics port when the container has no port of that name or number,
// so that Prometheus can always scrape the pod by port name.
func withMetricsPort(ports []corev1.ContainerPort,
	params map[string]string) []corev1.ContainerPort {
	// Clone so that appending never writes into the backing array of a template's slice.
	return appendContainerPort(slices.Clone(ports), tcpPort(MetricsPortName, metricsPort(params)))
}

func metricsPort(params map[string]string) int32 {
	return portParam(params, "metrics-export-port", DefaultMetricsPort)
}

// appendContainerPort appends p unless a port of the same name, or the same number and
// protocol, is already there: a duplicate would make the head Service invalid.
func appendContainerPort(ports []corev1.ContainerPort,
	p corev1.ContainerPort) []corev1.ContainerPort {
	for _, q := range ports {
		if q.Name == p.Name || q.ContainerPort == p.ContainerPort && protocol(q.Protocol) == p.Protocol {
			return ports
		}
	}
	return append(ports, p)
}

func tcpPort(name string, port int32) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: port, Protocol: corev1.ProtocolTCP}
}

func protocol(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// servicePorts turns container ports into Service ports of the same number; an unnamed port is
// named <port>-port, as a Service with several ports needs every port named.
func servicePorts(ports []corev1.ContainerPort) []corev1.ServicePort {
	out := make([]corev1.ServicePort, 0, len(ports))
	for _, p := range ports {
		name := p.Name
		if name == "" {
			name = strconv.Itoa(int(p.ContainerPort)) + "-port"
		}
		out = appendServicePort(out, corev1.ServicePort{
			Name:       name,
			Protocol:   protocol(p.Protocol),
			Port:       p.ContainerPort,
			TargetPort: intstr.FromInt32(p.ContainerPort),
		})
	}
	return out
}

// appendServicePort appends p unless a port of the same name, or the same number and protocol,
// is already there; the ports already there win.
func appendServicePort(ports []corev1.ServicePort, p corev1.ServicePort) []corev1.ServicePort {
	for _, q := range ports {
		if q.Name == p.Name || q.Port == p.Port && protocol(q.Protocol) == protocol(p.Protocol) {
			return ports
		}
	}
	return append(ports, p)
}
