//go:build integration

package operator_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
	"github.com/raykube/raykube/internal/testenv"
)

// TestPprofEndpoint starts the operator with and without --pprof-addr: with it, a heap profile
// is served; without it, nothing listens.
func TestPprofEndpoint(t *testing.T) {
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()

	for _, enabled := range []bool{true, false} {
		addr := freeAddr(t)
		opts := operator.DefaultOptions()
		opts.MetricsAddr, opts.HealthProbeAddr, opts.LeaderElect = "0", "0", false
		opts.SeveralManagersPerProcess = true
		if enabled {
			opts.PprofAddr = addr
		}
		mgr, err := operator.NewManager(env.Config, opts, logging.New("console", 0))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- mgr.Start(ctx) }()

		url := "http://" + addr + "/debug/pprof/heap"
		if enabled {
			var status int
			err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true,
				func(context.Context) (bool, error) {
					resp, err := http.Get(url) //nolint:noctx // a test on loopback
					if err != nil {
						return false, nil
					}
					status = resp.StatusCode
					_ = resp.Body.Close()
					return true, nil
				})
			if err != nil || status != http.StatusOK {
				t.Errorf("with --pprof-addr: GET %s: status %d, %v", url, status, err)
			}
		} else {
			// Give the manager the time it took to serve above before checking nothing does.
			time.Sleep(2 * time.Second)
			if resp, err := http.Get(url); err == nil { //nolint:noctx // a test on loopback
				_ = resp.Body.Close()
				t.Errorf("without --pprof-addr, %s answered %s", url, resp.Status)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("operator stopped with an error: %v", err)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}
