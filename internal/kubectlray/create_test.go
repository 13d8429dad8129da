package kubectlray

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// TestWaitUntilReadyEndsWithState checks that a wait whose time runs out while a read is
// held up ends with where the cluster stands, whatever error the read gives, and that an
// error of the API before the time is up is returned as it is.
func TestWaitUntilReadyEndsWithState(t *testing.T) {
	const timeout = 300 * time.Millisecond
	// heldUp is a read that does not answer before the time is up, then fails as client-go
	// fails a call whose context ends.
	heldUp := func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("client rate limiter Wait returned an error: %w", ctx.Err())
	}
	refused := errors.New("connection refused")
	tests := map[string]struct {
		// read answers the nth read (from 0); nil lets the read through.
		read    func(ctx context.Context, n int) error
		wantErr string
	}{
		"every read held up": {
			read: func(ctx context.Context, _ int) error { return heldUp(ctx) },
			wantErr: `RayCluster "slow" in namespace "default" is not ready after 300ms: ` +
				"state unknown: the API server did not answer in time",
		},
		"the second read held up": {
			read: func(ctx context.Context, n int) error {
				if n == 0 {
					return nil
				}
				return heldUp(ctx)
			},
			wantErr: `RayCluster "slow" in namespace "default" is not ready after 300ms: ` +
				"state provisioning (the head pod is Pending)",
		},
		"an error before the time is up": {
			read:    func(context.Context, int) error { return refused },
			wantErr: `reading RayCluster "slow" in namespace "default": connection refused`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rc := &rayv1.RayCluster{
				ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "slow"},
				Status: rayv1.RayClusterStatus{ObservedGeneration: 1,
					Reason: "the head pod is Pending"},
			}
			reads := 0
			c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(rc).
				WithInterceptorFuncs(interceptor.Funcs{
					Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey,
						obj client.Object, opts ...client.GetOption) error {
						n := reads
						reads++
						if err := tc.read(ctx, n); err != nil {
							return err
						}
						return c.Get(ctx, key, obj, opts...)
					},
				}).Build()
			var out bytes.Buffer
			o := &Options{IOStreams: genericiooptions.IOStreams{Out: &out}}
			err := waitUntilReady(context.Background(), o, c, "default", "slow", timeout)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("waitUntilReady: %v, want %q", err, tc.wantErr)
			}
		})
	}
}
