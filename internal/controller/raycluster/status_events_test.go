package raycluster

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func TestUnsupportedFields(t *testing.T) {
	cases := map[string]struct {
		spec rayv1.RayClusterSpec
		want []string
	}{
		"none set": {},
		"token authentication is built": {
			spec: rayv1.RayClusterSpec{AuthOptions: &rayv1.AuthOptions{Mode: rayv1.AuthModeToken,
				EnableK8sTokenAuth: ptr.To(false)}},
		},
		"GCS fault tolerance with Redis is built": {
			spec: rayv1.RayClusterSpec{GcsFaultToleranceOptions: &rayv1.GcsFaultToleranceOptions{
				RedisAddress: "redis:6379"}},
		},
		"GCS fault tolerance with rocksdb is not": {
			spec: rayv1.RayClusterSpec{GcsFaultToleranceOptions: &rayv1.GcsFaultToleranceOptions{
				Backend: rayv1.GcsFaultToleranceBackendRocksDB}},
			want: []string{"spec.gcsFaultToleranceOptions.backend: rocksdb"},
		},
		"every field the operator does not act on, in order": {
			spec: rayv1.RayClusterSpec{
				AuthOptions:          &rayv1.AuthOptions{EnableK8sTokenAuth: ptr.To(true)},
				HistoryServerOptions: &rayv1.HistoryServerOptions{},
				NetworkPolicy:        &rayv1.NetworkPolicyConfig{},
				TLSOptions:           &rayv1.TLSOptions{},
			},
			want: []string{"spec.authOptions.enableK8sTokenAuth",
				"spec.historyServerOptions", "spec.networkPolicy", "spec.tlsOptions"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, unsupportedFields(&tc.spec)); diff != "" {
				t.Errorf("unsupportedFields() (-want +got):\n%s", diff)
			}
		})
	}
}
