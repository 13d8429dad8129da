package apiserver

import (
	"context"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/raykube/raykube/internal/apiserver/auth"
	"github.com/raykube/raykube/internal/apiserver/convert"
	"github.com/raykube/raykube/internal/apiserver/gen/compat"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/apiserver/handler"
	"github.com/raykube/raykube/internal/apiserver/service"
)

// newGRPCServer registers the cluster, compute-template and health services behind the
// interceptors, outermost first: metrics (so that every answer, refusals included, is counted),
// panic recovery, timeout, the check of the names a request gives, authentication when it is
// on, and logging (which then knows the user).
func (s *Server) newGRPCServer(c client.Client, reviewer *auth.Reviewer) *grpc.Server {
	interceptors := []grpc.UnaryServerInterceptor{
		s.metrics.UnaryInterceptor(), s.recoverPanics, s.timeout, checkNames,
	}
	if reviewer != nil {
		interceptors = append(interceptors, reviewer.UnaryInterceptor())
	}
	interceptors = append(interceptors, s.logCalls)
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(interceptors...),
		grpc.MaxRecvMsgSize(int(s.opts.MaxRequestBytes)),
	)
	svc := service.New(c, convert.Options{ManagedBy: s.opts.ManagedBy})
	clusters, templates := handler.NewClusters(svc), handler.NewComputeTemplates(svc)
	apiv1.RegisterClusterServiceServer(srv, clusters)
	apiv1.RegisterComputeTemplateServiceServer(srv, templates)
	compat.RegisterClusterServiceServer(srv, handler.NewKubeRayClusters(clusters))
	compat.RegisterComputeTemplateServiceServer(srv, handler.NewKubeRayComputeTemplates(templates))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	return srv
}

// recoverPanics answers a call whose handler panicked with Internal, and logs the panic, so
// that one bad request cannot stop the server.
func (s *Server) recoverPanics(ctx context.Context, req any, info *grpc.UnaryServerInfo,
	h grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Info("Panic while handling a call", "method", info.FullMethod, "panic", p,
				"stack", string(debug.Stack()))
			resp, err = nil, status.Error(codes.Internal, "internal error")
		}
	}()
	return h(ctx, req)
}

// checkNames refuses a call whose namespace or name could name no object, such as
// GET .../clusters/Bad_Name, with InvalidArgument naming the field. It runs before
// authentication: such a request is malformed whoever sends it, and answering it needs no
// TokenReview, SubjectAccessReview or read.
func checkNames(ctx context.Context, req any, _ *grpc.UnaryServerInfo,
	h grpc.UnaryHandler) (any, error) {
	if err := service.CheckRequest(req); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// timeout bounds every call by RequestTimeout, or by the caller's own deadline if sooner.
func (s *Server) timeout(ctx context.Context, req any, _ *grpc.UnaryServerInfo,
	h grpc.UnaryHandler) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.RequestTimeout)
	defer cancel()
	return h(ctx, req)
}

// logCalls puts the logger in the call's context and logs each call at V(1), and every call
// that failed on the server's side at level 0.
func (s *Server) logCalls(ctx context.Context, req any, info *grpc.UnaryServerInfo,
	h grpc.UnaryHandler) (any, error) {
	l := s.log.WithValues("method", info.FullMethod)
	start := time.Now()
	resp, err := h(log.IntoContext(ctx, l), req)
	code := status.Code(err)
	kv := []any{"code", code.String(), "duration", time.Since(start).String()}
	if u := auth.UserFrom(ctx); u != nil {
		kv = append(kv, "user", u.Username)
	}
	switch code {
	case codes.Internal, codes.Unknown, codes.Unavailable, codes.DataLoss:
		l.Info("Call failed", append(kv, "error", err.Error())...)
	default:
		l.V(1).Info("Call", kv...)
	}
	return resp, err
}
