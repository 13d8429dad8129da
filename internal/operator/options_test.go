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
		"metrics off":   {edit: func(o *Options) { o.MetricsAddr = "0" }},
		"health off":    {edit: func(o *Options) { o.HealthProbeAddr = "0" }},
		"metrics on IP": {edit: func(o *Options) { o.MetricsAddr = "127.0.0.1:0" }},
		"metrics not an address": {
			edit: func(o *Options) { o.MetricsAddr = "notanaddr" },
			want: []string{`--metrics-bind-address "notanaddr" is not a listen address ` +
				"(host:port, e.g. 127.0.0.1:8080): missing port in address"},
		},
		"metrics empty": {
			edit: func(o *Options) { o.MetricsAddr = "" },
			want: []string{`--metrics-bind-address "" is not a listen address`},
		},
		"health port out of range": {
			edit: func(o *Options) { o.HealthProbeAddr = ":99999" },
			want: []string{`--health-probe-bind-address ":99999": port "99999" is not a ` +
				"number from 0 to 65535"},
		},
		"pprof not an address": {
			edit: func(o *Options) { o.PprofAddr = "localhost" },
			want: []string{`--pprof-addr "localhost" is not a listen address`},
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
