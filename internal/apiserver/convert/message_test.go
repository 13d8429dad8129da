package convert_test

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestQuote checks that a value is quoted whole up to 64 characters, and beyond that as its
// first 64 characters, an ellipsis and its length in characters.
func TestQuote(t *testing.T) {
	a64 := strings.Repeat("a", 64)
	cases := map[string]struct {
		in, wantQuote, wantShorten string
	}{
		"empty":         {in: "", wantQuote: `""`, wantShorten: ""},
		"short":         {in: "Bad_Name", wantQuote: `"Bad_Name"`, wantShorten: "Bad_Name"},
		"64 characters": {in: a64, wantQuote: `"` + a64 + `"`, wantShorten: a64},
		"65 characters": {in: a64 + "b", wantQuote: `"` + a64 + `…" (65 characters)`,
			wantShorten: a64 + "… (65 characters)"},
		"500 KB": {in: strings.Repeat("a", 500_000),
			wantQuote: `"` + a64 + `…" (500000 characters)`, wantShorten: a64 + "… (500000 characters)"},
		"64 runes in more bytes": {in: strings.Repeat("é", 64), wantQuote: `"` +
			strings.Repeat("é", 64) + `"`, wantShorten: strings.Repeat("é", 64)},
		"multi-byte characters cut whole": {in: strings.Repeat("é", 70),
			wantQuote:   `"` + strings.Repeat("é", 64) + `…" (70 characters)`,
			wantShorten: strings.Repeat("é", 64) + "… (70 characters)"},
		"escapes": {in: "a\"b\n", wantQuote: `"a\"b\n"`, wantShorten: "a\"b\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := convert.Quote(tc.in); got != tc.wantQuote {
				t.Errorf("Quote = %s, want %s", got, tc.wantQuote)
			}
			if got := convert.Shorten(tc.in); got != tc.wantShorten {
				t.Errorf("Shorten = %s, want %s", got, tc.wantShorten)
			}
		})
	}
}

// TestInvalidMessage checks the message of validation errors: every field named, values of
// the user's bounded wherever they appear (the value, a map key in the path), the rest as
// apimachinery writes it.
func TestInvalidMessage(t *testing.T) {
	long := strings.Repeat("x", 500_000)
	x64 := strings.Repeat("x", 64)
	cases := map[string]struct {
		errs field.ErrorList
		want string
	}{
		"short values whole": {
			errs: field.ErrorList{field.Required(field.NewPath("name"), ""),
				field.Invalid(field.NewPath("cpu"), -1.0, "must be positive"),
				field.NotSupported(field.NewPath("memoryUnit"), "GB", []string{"Gi", "G"})},
			want: `invalid compute template: name: Required value; cpu: Invalid value: -1: ` +
				`must be positive; memoryUnit: Unsupported value: "GB": supported values: ` +
				`"Gi", "G"`,
		},
		"a long value": {
			errs: field.ErrorList{field.Invalid(field.NewPath("name"), long, "a DNS-1035 label")},
			want: `invalid compute template: name: Invalid value: "` + x64 +
				`…" (500000 characters): a DNS-1035 label`,
		},
		"a long duplicate": {
			errs: field.ErrorList{field.Duplicate(field.NewPath("groupName"), long)},
			want: `invalid compute template: groupName: Duplicate value: "` + x64 +
				`…" (500000 characters)`,
		},
		"a long map key in the path": {
			errs: field.ErrorList{field.Invalid(field.NewPath("envs", "values").Key(long), "v",
				"a valid environment variable name")},
			want: `invalid compute template: envs.values[` + x64 + `… (500000 characters)]: ` +
				`Invalid value: "v": a valid environment variable name`,
		},
		"long raw JSON": {
			errs: field.ErrorList{field.Invalid(field.NewPath("cpu"),
				json.RawMessage("["+strings.Repeat("1,", 100)+"1]"), "must be a number")},
			want: "invalid compute template: cpu: Invalid value: [" +
				strings.Repeat("1,", 31) + "1… (203 characters): must be a number",
		},
		"an enum": {
			errs: field.ErrorList{convert.UnsupportedEnum(field.NewPath("environment"),
				"PROD", apiv1.Cluster_DEV.Descriptor())},
			want: `invalid compute template: environment: Unsupported value: "PROD": ` +
				`supported values: "0 (DEV)", "1 (TESTING)", "2 (STAGING)", "3 (PRODUCTION)"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := (&convert.Invalid{What: "compute template", Errs: tc.errs}).Error()
			if got != tc.want {
				t.Errorf("message\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestValidateRequestNames checks the names in request paths: what could name a namespace,
// RayCluster or ConfigMap passes, the rest is refused naming the field.
func TestValidateRequestNames(t *testing.T) {
	cases := map[string]struct {
		ns, name string
		want     []string
	}{
		"valid":         {ns: "default", name: "demo"},
		"a dotted name": {ns: "default", name: "raycluster.v2"},
		"name with capitals": {ns: "default", name: "Bad_Name",
			want: []string{`name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain`}},
		"namespace with a bang": {ns: "NS!", name: "demo",
			want: []string{`namespace: Invalid value: "NS!": a lowercase RFC 1123 label`}},
		"dotted namespace": {ns: "a.b", name: "demo",
			want: []string{`namespace: Invalid value: "a.b": must not contain dots`}},
		"empty": {want: []string{"namespace: Required value", "name: Required value"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			errs := append(convert.ValidateRequestNamespace(tc.ns),
				convert.ValidateRequestName(tc.name)...)
			if len(errs) != len(tc.want) {
				t.Fatalf("errors = %v, want %d matching %q", errs, len(tc.want), tc.want)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tc.want[i]) {
					t.Errorf("error %d = %q, want it to start with %q", i, e.Error(), tc.want[i])
				}
			}
		})
	}
}
