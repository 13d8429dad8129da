package apiserver

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/pflag"

	"github.com/raykube/raykube/internal/listenaddr"
)

// Authentication modes.
const (
	// AuthNone lets every caller in; the server then listens on loopback only unless
	// AllowInsecureRemote is set.
	AuthNone = "none"
	// AuthKubernetes reviews every caller's bearer token and permissions with the Kubernetes API.
	AuthKubernetes = "kubernetes"
)

// Options are the API server's settings, given once at start-up.
type Options struct {
	// HTTPAddr is where HTTP+JSON, /metrics, /healthz, the OpenAPI document and its page are
	// served.
	HTTPAddr string
	// GRPCAddr is where gRPC is served; empty turns the gRPC listener off (the HTTP gateway
	// still works).
	GRPCAddr string
	// Auth is AuthNone or AuthKubernetes.
	Auth string
	// AllowInsecureRemote lets a server with AuthNone listen on addresses other than loopback.
	AllowInsecureRemote bool
	// MaxRequestBytes bounds a request body; a larger one is answered with 413.
	MaxRequestBytes int64
	// RequestTimeout bounds the handling of every request.
	RequestTimeout time.Duration
	// ManagedBy is the app.kubernetes.io/managed-by label of the objects the server creates.
	ManagedBy string
	// KubeAPIQPS and KubeAPIBurst limit the server's request rate to the Kubernetes API.
	KubeAPIQPS   float32
	KubeAPIBurst int
	// PprofAddr is where Go's /debug/pprof endpoints are served; empty turns them off.
	PprofAddr string
	// LogFormat is json or console; Verbosity the V-level of logs shown. Used by the command to
	// build Log.
	LogFormat string
	Verbosity int
	// Log receives the server's logs; the zero value discards them.
	Log logr.Logger
}

// DefaultOptions returns the options used when no flag is given: loopback addresses, no
// authentication, 1 MiB bodies, 30 s per request.
func DefaultOptions() Options {
	return Options{
		HTTPAddr:        "127.0.0.1:8888",
		GRPCAddr:        "127.0.0.1:8887",
		Auth:            AuthNone,
		MaxRequestBytes: 1 << 20,
		RequestTimeout:  30 * time.Second,
		ManagedBy:       "kuberay-apiserver",
		KubeAPIQPS:      50,
		KubeAPIBurst:    100,
		LogFormat:       "json",
	}
}

// BindFlags registers a flag for every option but Log, with o's values as defaults.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.HTTPAddr, "http-addr", o.HTTPAddr, "address of the HTTP+JSON API, "+
		"/metrics, /healthz, /openapi.json and /docs")
	fs.StringVar(&o.GRPCAddr, "grpc-addr", o.GRPCAddr, "address of the gRPC API; off when empty")
	fs.StringVar(&o.Auth, "auth", o.Auth, "authentication: none, or kubernetes (bearer tokens "+
		"checked with TokenReview, permissions with SubjectAccessReview)")
	fs.BoolVar(&o.AllowInsecureRemote, "allow-insecure-remote", o.AllowInsecureRemote,
		"with --auth=none, listen on addresses other than loopback anyway")
	fs.Int64Var(&o.MaxRequestBytes, "max-request-bytes", o.MaxRequestBytes,
		"largest request body; larger ones get 413")
	fs.DurationVar(&o.RequestTimeout, "request-timeout", o.RequestTimeout,
		"longest time to handle a request")
	fs.StringVar(&o.ManagedBy, "managed-by", o.ManagedBy,
		"value of the app.kubernetes.io/managed-by label of created RayClusters and ConfigMaps")
	fs.Float32Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS,
		"requests per second to the Kubernetes API server")
	fs.IntVar(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst,
		"burst of requests to the Kubernetes API server")
	fs.StringVar(&o.PprofAddr, "pprof-addr", o.PprofAddr,
		"address of Go's /debug/pprof endpoints, e.g. 127.0.0.1:6060; off when empty")
	fs.StringVar(&o.LogFormat, "log-format", o.LogFormat, "log format: json or console")
	fs.IntVarP(&o.Verbosity, "v", "v", o.Verbosity, "log verbosity (0: changes, 1: every request)")
}

// Validate checks the options and names every one that is wrong.
func (o *Options) Validate() error {
	var errs []error
	if o.Auth != AuthNone && o.Auth != AuthKubernetes {
		errs = append(errs, fmt.Errorf("--auth must be %s or %s, not %q", AuthNone,
			AuthKubernetes, o.Auth))
	}
	errs = append(errs, o.validateAddrs()...)
	if o.MaxRequestBytes < 1 {
		errs = append(errs, fmt.Errorf("--max-request-bytes must be positive, not %d",
			o.MaxRequestBytes))
	}
	if o.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--request-timeout must be positive, not %v",
			o.RequestTimeout))
	}
	if o.KubeAPIQPS <= 0 || o.KubeAPIBurst < 1 {
		errs = append(errs, errors.New("--kube-api-qps and --kube-api-burst must be positive"))
	}
	if o.LogFormat != "json" && o.LogFormat != "console" {
		errs = append(errs, fmt.Errorf("--log-format must be json or console, not %q", o.LogFormat))
	}
	return errors.Join(errs...)
}

// validateAddrs checks the listen addresses: each well formed, and, without authentication,
// on loopback unless AllowInsecureRemote says otherwise.
func (o *Options) validateAddrs() []error {
	var errs []error
	if o.HTTPAddr == "" {
		errs = append(errs, errors.New("--http-addr must be given"))
	}
	for _, a := range []struct {
		flag, addr string
		open       bool // whether it lets callers in without authentication
	}{
		{"--http-addr", o.HTTPAddr, o.Auth == AuthNone},
		{"--grpc-addr", o.GRPCAddr, o.Auth == AuthNone},
		{"--pprof-addr", o.PprofAddr, true},
	} {
		if a.addr == "" {
			continue // off, or --http-addr missing, said above
		}
		if err := listenaddr.Check(a.flag, a.addr); err != nil {
			errs = append(errs, err)
			continue
		}
		if !a.open || o.AllowInsecureRemote || listenaddr.IsLoopback(a.addr) {
			continue
		}
		if a.flag == "--pprof-addr" {
			errs = append(errs, fmt.Errorf("--pprof-addr %q is not a loopback address", a.addr))
			continue
		}
		errs = append(errs, fmt.Errorf("%s %q is not a loopback address: with --auth=none "+
			"anyone who reaches it could create and delete clusters; use --auth=kubernetes, a "+
			"loopback address such as 127.0.0.1:8888, or --allow-insecure-remote", a.flag, a.addr))
	}
	return errs
}
