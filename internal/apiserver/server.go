// Package apiserver assembles raykube's API server: the gRPC services and the HTTP+JSON gateway
// in front of them, authentication, metrics, the OpenAPI document, and the listeners. The
// layers below it are handler (the gRPC services), service (the logic) and convert (API
// messages to and from Kubernetes objects).
package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver/auth"
	"github.com/raykube/raykube/internal/apiserver/metrics"
)

// shutdownTimeout is how long requests in progress get to finish when the server stops.
const shutdownTimeout = 10 * time.Second

// inProcessBufferSize is the buffer of the in-process connection of the HTTP gateway to the
// gRPC server.
const inProcessBufferSize = 1 << 20

// Server is a configured API server; Run serves it.
type Server struct {
	opts    Options
	log     logr.Logger
	metrics *metrics.Metrics
	grpc    *grpc.Server
	handler http.Handler
	// inProcess connects the HTTP gateway to the gRPC server without a socket, so that every
	// call, whichever way it came, passes the same interceptors (authentication, metrics,
	// timeout, logging).
	inProcess *bufconn.Listener
	gateway   *grpc.ClientConn

	mu       sync.Mutex
	httpLis  net.Listener
	grpcLis  net.Listener
	pprofLis net.Listener
}

// NewServer returns an API server that works on the Kubernetes cluster of cfg with the
// credentials of cfg. It checks the options and connects nothing yet; Run listens and serves.
func NewServer(cfg *rest.Config, opts Options) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = opts.KubeAPIQPS, opts.KubeAPIBurst
	cfg.UserAgent = "raykube-apiserver"
	c, err := client.New(cfg, client.Options{Scheme: Scheme()})
	if err != nil {
		return nil, fmt.Errorf("creating the Kubernetes client: %w", err)
	}
	var reviewer *auth.Reviewer
	if opts.Auth == AuthKubernetes {
		clientset, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("creating the Kubernetes client for reviews: %w", err)
		}
		reviewer = auth.NewReviewer(clientset, clock.RealClock{})
	}
	return newServer(c, reviewer, opts)
}

// Scheme returns the types the server reads and writes: Kubernetes' own and RayCluster.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme,
		rayv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(fmt.Sprintf("building the scheme: %v", err)) // only a programming error fails
		}
	}
	return s
}

// newServer assembles a server over a Kubernetes client; reviewer is nil without
// authentication. Tests give it a fake client.
func newServer(c client.Client, reviewer *auth.Reviewer, opts Options) (*Server, error) {
	s := &Server{opts: opts, log: opts.Log, metrics: metrics.New(),
		inProcess: bufconn.Listen(inProcessBufferSize)}
	s.grpc = s.newGRPCServer(c, reviewer)
	gateway, conn, err := s.newGateway()
	if err != nil {
		return nil, err
	}
	s.gateway = conn
	s.handler = s.newHTTPHandler(gateway)
	return s, nil
}

// Handler is the server's HTTP handler: the API under /apis/, /healthz, /metrics,
// /openapi.json and /docs.
func (s *Server) Handler() http.Handler {
	return s.handler
}

// Run listens on the configured addresses and serves until ctx is done, then stops gracefully.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	return s.Serve(ctx)
}

// Listen opens the listeners, so that the addresses are known (and taken) before Serve.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.httpLis, err = net.Listen("tcp", s.opts.HTTPAddr); err != nil {
		return fmt.Errorf("listening for HTTP on %s: %w", s.opts.HTTPAddr, err)
	}
	if s.opts.GRPCAddr != "" {
		if s.grpcLis, err = net.Listen("tcp", s.opts.GRPCAddr); err != nil {
			return errors.Join(fmt.Errorf("listening for gRPC on %s: %w", s.opts.GRPCAddr, err),
				s.httpLis.Close())
		}
	}
	if s.opts.PprofAddr != "" {
		if s.pprofLis, err = net.Listen("tcp", s.opts.PprofAddr); err != nil {
			return errors.Join(fmt.Errorf("listening for pprof on %s: %w", s.opts.PprofAddr, err),
				s.closeListeners())
		}
	}
	return nil
}

func (s *Server) closeListeners() error {
	var errs []error
	for _, l := range []net.Listener{s.httpLis, s.grpcLis} {
		if l != nil {
			errs = append(errs, l.Close())
		}
	}
	return errors.Join(errs...)
}

// HTTPAddr is the address the HTTP listener is bound to, once Listen has run.
func (s *Server) HTTPAddr() string {
	return addrOf(&s.mu, &s.httpLis)
}

// GRPCAddr is the address the gRPC listener is bound to, once Listen has run; empty when gRPC
// is off.
func (s *Server) GRPCAddr() string {
	return addrOf(&s.mu, &s.grpcLis)
}

func addrOf(mu *sync.Mutex, l *net.Listener) string {
	mu.Lock()
	defer mu.Unlock()
	if *l == nil {
		return ""
	}
	return (*l).Addr().String()
}
