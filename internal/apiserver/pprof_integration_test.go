//go:build integration

package apiserver_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/raykube/raykube/internal/apiserver"
)

// TestPprofEndpoint checks that Go's profiles are served on --pprof-addr when it is given, and
// that the API's own address does not serve them.
func TestPprofEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pprofAddr := l.Addr().String()
	_ = l.Close()

	for _, enabled := range []bool{true, false} {
		opts := apiserver.DefaultOptions()
		opts.HTTPAddr, opts.GRPCAddr = "127.0.0.1:0", ""
		if enabled {
			opts.PprofAddr = pprofAddr
		}
		srv, err := apiserver.NewServer(env.Config, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx) }()

		resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/heap") //nolint:noctx // loopback
		switch {
		case enabled && (err != nil || resp.StatusCode != http.StatusOK):
			t.Errorf("with --pprof-addr: heap profile: %v %v", resp, err)
		case !enabled && err == nil:
			t.Errorf("without --pprof-addr, the profile answered %s", resp.Status)
		}
		if err == nil {
			_ = resp.Body.Close()
		}
		api, err := http.Get("http://" + srv.HTTPAddr() + "/debug/pprof/heap") //nolint:noctx // loopback
		if err != nil {
			t.Fatal(err)
		}
		_ = api.Body.Close()
		if api.StatusCode == http.StatusOK {
			t.Errorf("the API address serves profiles")
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("API server stopped with an error: %v", err)
		}
	}
}
