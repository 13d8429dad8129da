package apiserver

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"golang.org/x/sync/errgroup"
)

// Serve serves on the listeners Listen opened until ctx is done, then lets requests in progress
// finish for a while and stops. A server serves once.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	httpLis, grpcLis, pprofLis := s.httpLis, s.grpcLis, s.pprofLis
	s.mu.Unlock()
	if httpLis == nil {
		return errors.New("serving before Listen")
	}
	httpSrv := s.newHTTPServer(s.handler)
	var pprofSrv *http.Server
	if pprofLis != nil {
		pprofSrv = s.newHTTPServer(pprofHandler())
	}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.grpc.Serve(s.inProcess) })
	if grpcLis != nil {
		g.Go(func() error { return s.grpc.Serve(grpcLis) })
	}
	g.Go(func() error { return serveHTTP(httpSrv, httpLis) })
	if pprofSrv != nil {
		g.Go(func() error { return serveHTTP(pprofSrv, pprofLis) })
	}
	s.log.Info("Serving the API", "http", httpLis.Addr().String(), "grpc", s.GRPCAddr(),
		"auth", s.opts.Auth)

	g.Go(func() error {
		<-ctx.Done()
		return s.shutdown(httpSrv, pprofSrv)
	})
	return g.Wait()
}

func serveHTTP(srv *http.Server, l net.Listener) error {
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// shutdown stops the HTTP servers and then the gRPC server, each within shutdownTimeout.
func (s *Server) shutdown(servers ...*http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if srv != nil {
			errs = append(errs, srv.Shutdown(ctx))
		}
	}
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		s.grpc.Stop()
	}
	errs = append(errs, s.gateway.Close())
	s.log.Info("Stopped serving the API")
	return errors.Join(errs...)
}

func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Bodies are small (MaxRequestBytes); the handler's own timeout bounds the rest.
		ReadTimeout: s.opts.RequestTimeout + 10*time.Second,
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    log.New(logWriter{s.log}, "", 0),
	}
}

// pprofHandler serves Go's profiles under /debug/pprof/.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
