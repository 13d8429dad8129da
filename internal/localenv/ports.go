package localenv

import (
	"errors"
	"fmt"
	"net"
)

// Ports are the loopback ports of the components.
type Ports struct {
	// Etcd serves etcd's clients (the API server); EtcdPeer is its unused peer port.
	Etcd     int `json:"etcd"`
	EtcdPeer int `json:"etcdPeer"`
	// APIServer is the Kubernetes API server's HTTPS port.
	APIServer int `json:"apiServer"`
	// ControllerManager and Scheduler serve those components' /healthz over HTTPS.
	ControllerManager int `json:"controllerManager"`
	Scheduler         int `json:"scheduler"`
	// KWOK serves KWOK's /healthz.
	KWOK int `json:"kwok"`
	// OperatorMetrics and OperatorHealth are zero when the operator is not started.
	OperatorMetrics int `json:"operatorMetrics,omitempty"`
	OperatorHealth  int `json:"operatorHealth,omitempty"`
	// RaykubeHTTP and RaykubeGRPC are raykube's API server (HTTP+JSON and gRPC); zero when the
	// operator, which it runs beside, is not started.
	RaykubeHTTP int `json:"raykubeHTTP,omitempty"`
	RaykubeGRPC int `json:"raykubeGRPC,omitempty"`
}

// FixedPorts are the ports used with --fixed-ports: the usual ones of each program.
func FixedPorts() Ports {
	return Ports{
		Etcd: 2379, EtcdPeer: 2380, APIServer: 6443, ControllerManager: 10257, Scheduler: 10259,
		KWOK: 10247, OperatorMetrics: 8080, OperatorHealth: 8081, RaykubeHTTP: 8888,
		RaykubeGRPC: 8887,
	}
}

// named lists the ports with the component that uses each.
func (p *Ports) named() []struct {
	name string
	port *int
} {
	return []struct {
		name string
		port *int
	}{
		{"etcd", &p.Etcd}, {"etcd (peer)", &p.EtcdPeer}, {"kube-apiserver", &p.APIServer},
		{"kube-controller-manager", &p.ControllerManager}, {"kube-scheduler", &p.Scheduler},
		{"kwok", &p.KWOK}, {"operator metrics", &p.OperatorMetrics},
		{"operator health", &p.OperatorHealth}, {"raykube API server", &p.RaykubeHTTP},
		{"raykube API server (gRPC)", &p.RaykubeGRPC},
	}
}

// all returns the ports in use, without the zero ones.
func (p Ports) all() []int {
	var out []int
	for _, n := range p.named() {
		if *n.port != 0 {
			out = append(out, *n.port)
		}
	}
	return out
}

// checkFree fails, naming the component, for every port that something listens on already.
func (p Ports) checkFree() error {
	var errs []error
	for _, n := range p.named() {
		if *n.port != 0 && portOpen(*n.port) {
			errs = append(errs, fmt.Errorf("port %d (%s) is in use on 127.0.0.1", *n.port, n.name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w\nstop what uses it, or leave out --fixed-ports to use free ports",
			err)
	}
	return nil
}

// freePorts asks the kernel for n distinct free loopback ports. Another program may take one
// before the component binds it; the component then fails to start and says so.
func freePorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// choosePorts returns the fixed ports, checked to be free, or free ones.
func choosePorts(fixed, withOperator bool) (Ports, error) {
	var p Ports
	if fixed {
		p = FixedPorts()
	} else {
		free, err := freePorts(len(p.named()))
		if err != nil {
			return Ports{}, err
		}
		for i, n := range p.named() {
			*n.port = free[i]
		}
	}
	if !withOperator {
		p.OperatorMetrics, p.OperatorHealth, p.RaykubeHTTP, p.RaykubeGRPC = 0, 0, 0, 0
	}
	if fixed {
		return p, p.checkFree()
	}
	return p, nil
}
