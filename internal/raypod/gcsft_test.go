package raypod

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func secretRef(name, key string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}}
}

func withFaultTolerance(o rayv1.GcsFaultToleranceOptions) *clusterBuilder {
	b := makeCluster("demo").withWorkers("small", 1)
	b.c.Spec.GcsFaultToleranceOptions = &o
	return b
}

// gcsEnv returns the variables of the Ray container that fault tolerance is about.
func gcsEnv(pod *corev1.Pod) []corev1.EnvVar {
	return envNamed(&pod.Spec.Containers[0], RedisAddressEnv, RedisPasswordEnv, RedisUsernameEnv,
		ExternalStorageNamespaceEnv, GCSReconnectTimeoutEnv)
}

func TestGCSFaultTolerancePods(t *testing.T) {
	cases := map[string]struct {
		cluster       *rayv1.RayCluster
		wantHeadEnv   []corev1.EnvVar
		wantWorkerEnv []corev1.EnvVar
		wantStart     string // flags of the head's ray start that are about Redis
		wantMarked    bool
	}{
		"options with a password from a Secret (the external-redis sample)": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{
				RedisAddress:  "redis:6379",
				RedisPassword: &rayv1.RedisCredential{ValueFrom: secretRef("redis-password-secret", "password")},
			}).obj(),
			wantHeadEnv: []corev1.EnvVar{
				{Name: ExternalStorageNamespaceEnv, Value: "uid-1"},
				{Name: RedisAddressEnv, Value: "redis:6379"},
				{Name: RedisPasswordEnv, ValueFrom: secretRef("redis-password-secret", "password")},
			},
			wantWorkerEnv: []corev1.EnvVar{{Name: GCSReconnectTimeoutEnv, Value: "600"}},
			wantStart:     "--redis-password=$REDIS_PASSWORD",
			wantMarked:    true,
		},
		"inline user name, own key space, redis backend named": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{
				Backend:                  rayv1.GcsFaultToleranceBackendRedis,
				RedisAddress:             "redis.db:6380",
				RedisUsername:            &rayv1.RedisCredential{Value: "ray"},
				ExternalStorageNamespace: "shared-space",
			}).obj(),
			wantHeadEnv: []corev1.EnvVar{
				{Name: ExternalStorageNamespaceEnv, Value: "shared-space"},
				{Name: RedisAddressEnv, Value: "redis.db:6380"},
				{Name: RedisUsernameEnv, Value: "ray"},
			},
			wantWorkerEnv: []corev1.EnvVar{{Name: GCSReconnectTimeoutEnv, Value: "600"}},
			wantStart:     "--redis-username=$REDIS_USERNAME",
			wantMarked:    true,
		},
		"the annotation form keeps the user's Redis settings": {
			cluster: makeCluster("demo").withWorkers("small", 1).
				withAnnotation(FTEnabledAnnotation, "true").
				withAnnotation(ExternalStorageNamespaceAnnotation, "from-annotation").
				withHeadContainer(func(ctr *corev1.Container) {
					ctr.Env = []corev1.EnvVar{{Name: RedisAddressEnv, Value: "redis:6379"}}
				}).obj(),
			wantHeadEnv: []corev1.EnvVar{
				{Name: RedisAddressEnv, Value: "redis:6379"},
				{Name: ExternalStorageNamespaceEnv, Value: "from-annotation"},
			},
			wantWorkerEnv: []corev1.EnvVar{{Name: GCSReconnectTimeoutEnv, Value: "600"}},
			wantMarked:    true,
		},
		"annotation false: no fault tolerance": {
			cluster: makeCluster("demo").withWorkers("small", 1).
				withAnnotation(FTEnabledAnnotation, "false").obj(),
		},
		"rocksdb backend is not built: no Redis settings": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{
				Backend: rayv1.GcsFaultToleranceBackendRocksDB,
			}).obj(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			head, err := BuildHeadPod(tc.cluster, Options{})
			if err != nil {
				t.Fatalf("BuildHeadPod() error = %v", err)
			}
			worker, err := BuildWorkerPod(tc.cluster, "small", Options{})
			if err != nil {
				t.Fatalf("BuildWorkerPod() error = %v", err)
			}
			if diff := cmp.Diff(tc.wantHeadEnv, gcsEnv(head)); diff != "" {
				t.Errorf("head env (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWorkerEnv, gcsEnv(worker)); diff != "" {
				t.Errorf("worker env (-want +got):\n%s", diff)
			}
			var redisFlags []string
			for _, w := range strings.Fields(envValue(&head.Spec.Containers[0], GeneratedCommandEnv)) {
				if strings.HasPrefix(w, "--redis") {
					redisFlags = append(redisFlags, w)
				}
			}
			if got := strings.Join(redisFlags, " "); got != tc.wantStart {
				t.Errorf("head ray start Redis flags = %q, want %q", got, tc.wantStart)
			}
			for _, pod := range []*corev1.Pod{head, worker} {
				got, ok := pod.Annotations[FTEnabledAnnotation]
				if tc.wantMarked != ok || (ok && got != "true") {
					t.Errorf("%s annotation %s = %q (present %v), want present %v with \"true\"",
						pod.GenerateName, FTEnabledAnnotation, got, ok, tc.wantMarked)
				}
			}
		})
	}
}

func TestGCSFaultToleranceDoesNotChangeTheSpec(t *testing.T) {
	c := withFaultTolerance(rayv1.GcsFaultToleranceOptions{RedisAddress: "redis:6379",
		RedisPassword: &rayv1.RedisCredential{ValueFrom: secretRef("s", "k")}}).obj()
	before := c.DeepCopy()
	if _, err := BuildHeadPod(c, Options{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, c); diff != "" {
		t.Errorf("BuildHeadPod changed the RayCluster (-before +after):\n%s", diff)
	}
}

func TestValidateGCSFaultTolerance(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		want    []string
	}{
		"valid": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{RedisAddress: "redis:6379"}).obj(),
		},
		"rocksdb needs no address": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{
				Backend: rayv1.GcsFaultToleranceBackendRocksDB}).obj(),
		},
		"annotation form with the address": {
			cluster: makeCluster("demo").withAnnotation(FTEnabledAnnotation, "true").
				withHeadContainer(func(ctr *corev1.Container) {
					ctr.Env = []corev1.EnvVar{{Name: RedisAddressEnv, Value: "redis:6379"}}
				}).obj(),
		},
		"annotation form without an address": {
			cluster: makeCluster("demo").withAnnotation(FTEnabledAnnotation, "true").obj(),
			want: []string{`spec.headGroupSpec.template.spec.containers[0].env: Required value: ` +
				`RAY_REDIS_ADDRESS must give the Redis address when the annotation ` +
				`ray.io/ft-enabled is "true" (or set spec.gcsFaultToleranceOptions)`},
		},
		"storage belongs to rocksdb, an address to redis": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{RedisAddress: "redis:6379",
				Storage: &rayv1.GcsEmbeddedStorage{ClaimName: "gcs"}}).obj(),
			want: []string{`spec.gcsFaultToleranceOptions.storage: Forbidden: only the rocksdb ` +
				`backend keeps its state on a volume; the redis backend uses redisAddress`},
		},
		"rocksdb with a Redis address": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{
				Backend: rayv1.GcsFaultToleranceBackendRocksDB, RedisAddress: "redis:6379"}).obj(),
			want: []string{`spec.gcsFaultToleranceOptions.redisAddress: Forbidden: the rocksdb ` +
				`backend keeps its state on a volume (storage), not in Redis`},
		},
		"every conflict named": {
			cluster: withFaultTolerance(rayv1.GcsFaultToleranceOptions{
				RedisPassword: &rayv1.RedisCredential{Value: "secret", ValueFrom: secretRef("s", "k")},
			}).withAnnotation(FTEnabledAnnotation, "false").
				withHeadParams("redis-password", "x").
				withHeadContainer(func(ctr *corev1.Container) {
					ctr.Env = []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: RedisAddressEnv, Value: "r:1"}}
				}).obj(),
			want: []string{
				`metadata.annotations[ray.io/ft-enabled]: Invalid value: "false": must be "true" ` +
					`or absent when spec.gcsFaultToleranceOptions is set`,
				`spec.gcsFaultToleranceOptions.redisAddress: Required value: the redis backend ` +
					`needs the address of the Redis server (host:port)`,
				`spec.gcsFaultToleranceOptions.redisPassword: Invalid value: "(hidden)": set value ` +
					`or valueFrom, not both`,
				`spec.headGroupSpec.template.spec.containers[0].env[1]: Forbidden: ` +
					`RAY_REDIS_ADDRESS comes from spec.gcsFaultToleranceOptions; remove it from ` +
					`the head container`,
				`spec.headGroupSpec.rayStartParams[redis-password]: Forbidden: the Redis ` +
					`credentials come from spec.gcsFaultToleranceOptions`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range unwrapJoined(ValidateSpec(tc.cluster)) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateSpec() (-want +got):\n%s", diff)
			}
		})
	}
}

func unwrapJoined(err error) []error {
	if err == nil {
		return nil
	}
	return err.(interface{ Unwrap() []error }).Unwrap()
}
