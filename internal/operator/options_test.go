package operator

import (
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		edit func(o *Options)
		want []string // substrings of the error; none means valid
	}{
		"defaults": {edit: func(*Options) {}},
		"bad log format": {
			edit: func(o *Options) { o.LogFormat = "xml" },
			want: []string{"--log-format"},
		},
		"zero concurrency": {
			edit: func(o *Options) { o.ReconcileConcurrency = 0 },
			want: []string{"--reconcile-concurrency"},
		},
		"zero pod concurrency": {
			edit: func(o *Options) { o.PodCreateConcurrency = 0 },
			want: []string{"--pod-create-concurrency"},
		},
		"NaN qps": {
			edit: func(o *Options) { o.KubeAPIQPS = float32(math.NaN()) },
			want: []string{"--kube-api-qps"},
		},
		"infinite qps": {
			edit: func(o *Options) { o.KubeAPIQPS = float32(math.Inf(1)) },
			want: []string{"--kube-api-qps"},
		},
		"zero burst": {
			edit: func(o *Options) { o.KubeAPIBurst = 0 },
			want: []string{"--kube-api-burst"},
		},
		"negative verbosity": {
			edit: func(o *Options) { o.Verbosity = -1 },
			want: []string{"--v"},
		},
		"empty cluster domain": {
			edit: func(o *Options) { o.ClusterDomain = "" },
			want: []string{"--cluster-domain"},
		},
		"empty operator name": {
			edit: func(o *Options) { o.OperatorName = "" },
			want: []string{"--operator-name"},
		},
		"loopback pprof": {edit: func(o *Options) { o.PprofAddr = "127.0.0.1:6060" }},
		"remote pprof": {
			edit: func(o *Options) { o.PprofAddr = ":6060" },
			want: []string{"--pprof-addr"},
		},
		"bad namespaces": {
			edit: func(o *Options) { o.WatchNamespaces = []string{"ok", "Bad_NS", ""} },
			want: []string{`"Bad_NS" is not a namespace name`, `"" is not a namespace name`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			err := o.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
