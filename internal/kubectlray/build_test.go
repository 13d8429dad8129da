package kubectlray

import (
	"bytes"
	"strings"
	"testing"
)

// defaultClusterFlags are the flags of `create cluster demo` with every default.
func defaultClusterFlags() *clusterFlags {
	return &clusterFlags{
		name:       "demo",
		namespace:  "default",
		rayVersion: defaultRayVersion,
		head:       resourceFlags{prefix: "head-", cpu: "2", memory: "4Gi", gpu: "0"},
		worker: groupFlags{prefix: "worker-", name: "default-group", replicas: 1,
			resources: resourceFlags{prefix: "worker-", cpu: "2", memory: "4Gi", gpu: "0"}},
	}
}

func manifest(t *testing.T, f *clusterFlags) string {
	t.Helper()
	rc, err := newCluster(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := printManifest(&out, rc); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestNewClusterDefaults(t *testing.T) {
	golden(t, "manifest-defaults.yaml", manifest(t, defaultClusterFlags()))
}

func TestNewClusterFromFlags(t *testing.T) {
	f := defaultClusterFlags()
	f.rayVersion = "2.46.0"
	f.image = "registry.example/ray:custom"
	f.head = resourceFlags{prefix: "head-", cpu: "500m", memory: "1Gi", gpu: "1"}
	f.worker.name = "gpu"
	f.worker.replicas, f.worker.minReplicas, f.worker.maxReplicas = 2, 1, new(int32(4))
	f.worker.resources = resourceFlags{prefix: "worker-", cpu: "8", memory: "32Gi", gpu: "2"}
	f.labels = map[string]string{"team": "ml"}
	f.annotations = map[string]string{"example.com/owner": "jane"}
	golden(t, "manifest-from-flags.yaml", manifest(t, f))
}

func TestNewClusterRefusesBadFlags(t *testing.T) {
	cases := map[string]struct {
		edit func(f *clusterFlags)
		want string
	}{
		"name with a dot": {
			edit: func(f *clusterFlags) { f.name = "demo.one" },
			want: `cluster name "demo.one" is not valid: a DNS-1035 label must consist of`,
		},
		"name of 54 characters": {
			edit: func(f *clusterFlags) { f.name = strings.Repeat("a", 54) },
			want: "is 54 characters long; at most 53 are allowed",
		},
		"ray version": {
			edit: func(f *clusterFlags) { f.rayVersion = "latest" },
			want: `--ray-version "latest" is not a Ray release number such as 2.52.0`,
		},
		"head cpu not a quantity": {
			edit: func(f *clusterFlags) { f.head.cpu = "two" },
			want: `--head-cpu "two" is not a quantity such as 2, 500m or 4Gi`,
		},
		"head memory zero": {
			edit: func(f *clusterFlags) { f.head.memory = "0" },
			want: `--head-memory must be more than 0, not "0"`,
		},
		"head gpu fraction": {
			edit: func(f *clusterFlags) { f.head.gpu = "500m" },
			want: `--head-gpu "500m" is not a whole number of GPUs (0, 1, 2, ...)`,
		},
		"worker gpu negative": {
			edit: func(f *clusterFlags) { f.worker.resources.gpu = "-1" },
			want: `--worker-gpu "-1" is not a whole number of GPUs`,
		},
		"worker cpu negative": {
			edit: func(f *clusterFlags) { f.worker.resources.cpu = "-1" },
			want: `--worker-cpu must be more than 0, not "-1"`,
		},
		"negative replicas": {
			edit: func(f *clusterFlags) { f.worker.replicas = -1 },
			want: "--worker-replicas must be 0 or more, not -1",
		},
		"negative max replicas": {
			edit: func(f *clusterFlags) { f.worker.maxReplicas = new(int32(-2)) },
			want: "--worker-max-replicas must be 0 or more, not -2",
		},
		"min above max": {
			edit: func(f *clusterFlags) {
				f.worker.minReplicas, f.worker.maxReplicas = 3, new(int32(2))
			},
			want: "--worker-min-replicas 3 is greater than --worker-max-replicas 2",
		},
		"replicas below min": {
			edit: func(f *clusterFlags) { f.worker.minReplicas = 2 },
			want: "--worker-replicas 1 is below --worker-min-replicas 2",
		},
		"replicas above max": {
			edit: func(f *clusterFlags) { f.worker.maxReplicas = new(int32(0)) },
			want: "--worker-replicas 1 is above --worker-max-replicas 0",
		},
		"reserved group name": {
			edit: func(f *clusterFlags) { f.worker.name = "headgroup" },
			want: `--worker-group "headgroup" is reserved for the head pod`,
		},
		"group name with capitals": {
			edit: func(f *clusterFlags) { f.worker.name = "GPU" },
			want: `--worker-group "GPU" is not valid: a lowercase RFC 1123 label`,
		},
		"label key": {
			edit: func(f *clusterFlags) { f.labels = map[string]string{"bad key": "x"} },
			want: `--labels: Invalid value: "bad key"`,
		},
		"annotation key": {
			edit: func(f *clusterFlags) { f.annotations = map[string]string{"/x": "y"} },
			want: `--annotations: Invalid value: "/x"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := defaultClusterFlags()
			tc.edit(f)
			_, err := newCluster(f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNewWorkerGroupNamesItsFlags(t *testing.T) {
	f := &groupFlags{name: "gpu", image: "rayproject/ray:2.52.0", replicas: 1,
		maxReplicas: new(int32(0)),
		resources:   resourceFlags{cpu: "1", memory: "1Gi", gpu: "0"}}
	_, err := newWorkerGroup(f)
	if want := "--replicas 1 is above --max-replicas 0"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	f.maxReplicas, f.name = nil, "headgroup"
	_, err = newWorkerGroup(f)
	want := `worker group name "headgroup" is reserved for the head pod`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
