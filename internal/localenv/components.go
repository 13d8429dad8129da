package localenv

import (
	"fmt"
)

// Component names, which are also the names of their log and pid files.
const (
	etcdName              = "etcd"
	apiServerName         = "kube-apiserver"
	controllerManagerName = "kube-controller-manager"
	schedulerName         = "kube-scheduler"
	kwokName              = "kwok"
	operatorName          = "operator"
	raykubeAPIName        = "raykube-apiserver"
	// supervisorName is the pid file of a `raykube local up` running in the foreground.
	supervisorName = "raykube-up"
)

// component is a program of the local environment and how to tell that it is healthy.
type component struct {
	processSpec
	probe probe
	// url is shown to people: where the component serves.
	url string
}

// components returns the programs to run, in start order. The certificates must exist: the
// probes of TLS endpoints trust the local CA.
func components(l layout, b Binaries, p Ports, operatorCmd []string) ([]component, error) {
	admin, err := tlsConfig(l, "admin")
	if err != nil {
		return nil, err
	}
	serving, err := tlsConfig(l, "")
	if err != nil {
		return nil, err
	}
	loop := func(scheme string, port int) string {
		return fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
	}
	out := []component{
		{processSpec: processSpec{name: etcdName, binary: b.program("etcd"), args: etcdArgs(l, p)},
			probe: probe{url: loop("http", p.Etcd) + "/health"}, url: loop("http", p.Etcd)},
		{processSpec: processSpec{name: apiServerName, binary: b.program("kube-apiserver"),
			args: apiServerArgs(l, p)},
			probe: probe{url: loop("https", p.APIServer) + "/readyz", tls: admin},
			url:   loop("https", p.APIServer)},
		{processSpec: processSpec{name: controllerManagerName,
			binary: b.program("kube-controller-manager"), args: controllerManagerArgs(l, p)},
			probe: probe{url: loop("https", p.ControllerManager) + "/healthz", tls: serving},
			url:   loop("https", p.ControllerManager)},
		{processSpec: processSpec{name: schedulerName, binary: b.program("kube-scheduler"),
			args: schedulerArgs(l, p)},
			probe: probe{url: loop("https", p.Scheduler) + "/healthz", tls: serving},
			url:   loop("https", p.Scheduler)},
		{processSpec: processSpec{name: kwokName, binary: b.kwok(), args: kwokArgs(l, p),
			// kwok would also read ~/.kwok/kwok.yaml; keep it to the local configuration.
			env: []string{"KWOK_WORKDIR=" + l.path("config", "kwok-home")}},
			probe: probe{url: loop("http", p.KWOK) + "/healthz"}, url: loop("http", p.KWOK)},
	}
	if len(operatorCmd) > 0 {
		out = append(out, component{
			processSpec: processSpec{name: operatorName, binary: operatorCmd[0],
				args: append(append([]string{}, operatorCmd[1:]...), operatorArgs(l, p)...)},
			probe: probe{url: loop("http", p.OperatorHealth) + "/readyz"},
			url:   loop("http", p.OperatorMetrics) + "/metrics",
		})
		apiCmd := apiServerCommand(operatorCmd)
		out = append(out, component{
			processSpec: processSpec{name: raykubeAPIName, binary: apiCmd[0],
				args: append(apiCmd[1:], raykubeAPIArgs(l, p)...)},
			probe: probe{url: loop("http", p.RaykubeHTTP) + "/healthz"},
			url:   loop("http", p.RaykubeHTTP),
		})
	}
	return out, nil
}

// apiServerCommand is the command of raykube's API server. It runs from the same program as
// the operator, whose command ends in the subcommand "operator"; the API server's ends in
// "apiserver" instead.
func apiServerCommand(operatorCmd []string) []string {
	cmd := append([]string{}, operatorCmd...)
	cmd[len(cmd)-1] = "apiserver"
	return cmd
}

// componentNamed finds a component by name.
func componentNamed(all []component, name string) (component, bool) {
	for _, c := range all {
		if c.name == name {
			return c, true
		}
	}
	return component{}, false
}
