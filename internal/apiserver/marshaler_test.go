package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

const (
	clustersPath  = "/apis/v1/namespaces/" + fuzzNamespace + "/clusters"
	templatesPath = "/apis/v1/namespaces/" + fuzzNamespace + "/compute_templates"
	// envSources and environments are the accepted values the messages list.
	envSources = `supported values: "0 (CONFIGMAP)", "1 (SECRET)", "2 (RESOURCEFIELD)", ` +
		`"3 (FIELD)"`
	environments = `supported values: "0 (DEV)", "1 (TESTING)", "2 (STAGING)", ` +
		`"3 (PRODUCTION)"`
)

// errorCase is a request and the error answer it must get.
type errorCase struct {
	method, path, body string
	status, code       int
	message            string
}

// TestBodyErrors checks the answers to bodies that cannot be read as the message: not a JSON
// object, or a known field with a value of the wrong kind or an enum name the enum does not
// have. Each is 400, code 3, with a message that names the field.
func TestBodyErrors(t *testing.T) {
	const notObject = "the request body must be a JSON object"
	cases := map[string]errorCase{
		"empty body": {body: "", message: "cluster: Required value: the cluster to create, " +
			"over HTTP the request body, a JSON object"},
		"blank body": {body: " \n", message: "cluster: Required value: the cluster to " +
			"create, over HTTP the request body, a JSON object"},
		"an array":  {body: "[]", message: notObject + ", not an array"},
		"null":      {body: "null", message: notObject + ", not null"},
		"a string":  {body: `"x"`, message: notObject + ", not a string"},
		"a number":  {body: "1", message: notObject + ", not a number"},
		"a boolean": {body: "true", message: notObject + ", not a boolean"},
		"two objects": {body: `{} {}`, message: notObject +
			": invalid character '{' after top-level value, at line 1, column 4"},
		"cut short": {body: "{\"name\": \"x\",\n \"user\": ", message: notObject +
			": unexpected end of JSON input, at line 2, column 10"},
		"broken": {body: "{\"name\": \"x\",\n \"user\": }", message: notObject +
			": invalid character '}' looking for beginning of value, at line 2, column 10"},
		"unknown environment name": {body: `{"environment": "PROD"}`,
			message: `invalid cluster: environment: Unsupported value: "PROD": ` + environments},
		"environment number out of range": {body: `{"environment": 7}`,
			message: `invalid cluster: environment: Unsupported value: 7: ` + environments},
		"environment as a fraction": {body: `{"environment": 1.5}`,
			message: `invalid cluster: environment: Unsupported value: 1.5: ` + environments},
		"unknown volume type and access mode": {body: `{"clusterSpec": {"headGroupSpec":
			{"volumes": [{"volumeType": "NFS", "accessMode": "RWM"}]}}}`,
			message: `invalid cluster: clusterSpec.headGroupSpec.volumes[0].volumeType: ` +
				`Unsupported value: "NFS": supported values: "0 (PERSISTENT_VOLUME_CLAIM)", ` +
				`"1 (HOST_PATH)", "2 (EPHEMERAL)", "3 (CONFIGMAP)", "4 (SECRET)", ` +
				`"5 (EMPTY_DIR)"; clusterSpec.headGroupSpec.volumes[0].accessMode: Unsupported ` +
				`value: "RWM": supported values: "0 (RWO)", "1 (ROX)", "2 (RWX)"`},
		"unknown environment variable source": {
			body: `{"envs": {"valuesFrom": {"A": {"source": "VAULT"}, "B": {"source": 9}}}}`,
			message: `invalid cluster: envs.valuesFrom[A].source: Unsupported value: "VAULT": ` +
				envSources + `; envs.valuesFrom[B].source: Unsupported value: 9: ` + envSources},
		"values of the wrong kind": {body: `{"name": 5, "clusterSpec": {"workerGroupSpec":
			[{"replicas": "x", "volumes": [null]}]}, "createdAt": "yesterday"}`,
			message: `invalid cluster: name: Invalid value: 5: must be a string; ` +
				`clusterSpec.workerGroupSpec[0].replicas: Invalid value: "x": must be a whole ` +
				`number from -2147483648 to 2147483647; clusterSpec.workerGroupSpec[0].` +
				`volumes[0]: Invalid value: null: must be a JSON object; createdAt: Invalid ` +
				`value: "yesterday": must be a time in RFC 3339 format, such as ` +
				`2026-01-02T15:04:05Z`},
		"a number out of range": {body: `{"clusterSpec": {"workerGroupSpec":
			[{"maxReplicas": 4294967296}]}}`,
			message: `invalid cluster: clusterSpec.workerGroupSpec[0].maxReplicas: Invalid ` +
				`value: 4294967296: must be a whole number from -2147483648 to 2147483647`},
		"a field twice": {body: `{"clusterSpec": {}, "cluster_spec": {}}`,
			message: "invalid cluster: clusterSpec: Forbidden: is given more than once"},
		"a template's negative GPUs": {path: templatesPath,
			body: `{"name": "t", "gpu": -1, "tolerations": [{"key": 1}]}`,
			message: "invalid compute template: gpu: Invalid value: -1: must be a whole " +
				"number from 0 to 4294967295; tolerations[0].key: Invalid value: 1: must be a " +
				"string"},
	}
	runErrorCases(t, cases, nil)
}

// TestBoundedMessages checks that a message quotes at most 64 characters of a value, wherever
// the value is: a field, a map key, a query parameter, a path.
func TestBoundedMessages(t *testing.T) {
	long := strings.Repeat("a", 500_000)
	a64 := strings.Repeat("a", 64)
	cases := map[string]errorCase{
		"a 500 KB name": {body: `{"name": "` + long + `", "namespace": "fuzz", "user": "u",
			"clusterSpec": {"headGroupSpec": {"computeTemplate": "head"}}}`,
			message: `invalid cluster: name: Invalid value: "` + a64 + `…" (500000 ` +
				`characters): must be no more than 63 characters; name: Too long: may not be ` +
				`more than 53 bytes`},
		"a 500 KB value of the wrong kind": {body: `{"user": ["` + long + `"]}`,
			message: `invalid cluster: user: Invalid value: ["` + a64[:62] + `… (500004 ` +
				`characters): must be a string`},
		"a 500 KB environment variable name": {body: `{"name": "demo", "namespace": "fuzz",
			"user": "u", "envs": {"values": {"1` + long[1:] + `": "v"}},
			"clusterSpec": {"headGroupSpec": {"computeTemplate": "head"}}}`,
			message: `invalid cluster: envs.values[1` + a64[1:] + `… (500000 characters)]: ` +
				`Invalid value: "1` + a64[1:] + `…" (500000 characters): ` +
				validation.IsEnvVarName("1" + long[1:])[0]},
		"a 100 KB query parameter": {method: http.MethodGet,
			path: clustersPath + "?limit=" + long[:100_000],
			message: `invalid request: limit: Invalid value: "` + a64 + `…" (100000 ` +
				`characters): must be a whole number from -9223372036854775808 to ` +
				`9223372036854775807`},
		"a 100 KB path": {method: http.MethodGet, path: "/apis/v1/" + long[:100_000],
			status: http.StatusNotFound, code: 5,
			message: "no such path: /apis/v1/" + a64[:55] + "… (100009 characters)"},
	}
	runErrorCases(t, cases, nil)
}

// TestImpossibleNames checks that a namespace or name in a path that could name no object is
// refused, naming the field, without a call to Kubernetes.
func TestImpossibleNames(t *testing.T) {
	badName := `invalid request: name: Invalid value: "Bad_Name": ` +
		content.IsDNS1123Subdomain("Bad_Name")[0]
	badNamespace := `invalid request: namespace: Invalid value: "NS!": ` +
		content.IsDNS1123Label("NS!")[0]
	cases := map[string]errorCase{
		"get a cluster": {method: http.MethodGet, path: clustersPath + "/Bad_Name",
			message: badName},
		"delete a cluster": {method: http.MethodDelete, path: clustersPath + "/Bad_Name",
			message: badName},
		"get a template": {method: http.MethodGet, path: templatesPath + "/Bad_Name",
			message: badName},
		"delete a template": {method: http.MethodDelete, path: templatesPath + "/Bad_Name",
			message: badName},
		"get in a bad namespace": {method: http.MethodGet,
			path: "/apis/v1alpha2/namespaces/NS!/clusters/demo", message: badNamespace},
		"list in a bad namespace": {method: http.MethodGet,
			path: "/apis/v1/namespaces/NS!/compute_templates", message: badNamespace},
		"create in a bad namespace": {path: "/apis/v1/namespaces/NS!/clusters",
			body: `{"name": "demo"}`, message: badNamespace},
		"both bad": {method: http.MethodDelete,
			path:    "/apis/v1/namespaces/NS!/compute_templates/Bad_Name",
			message: badNamespace + "; " + strings.TrimPrefix(badName, "invalid request: ")},
	}
	var calls atomic.Int32
	count := func() { calls.Add(1) }
	runErrorCases(t, cases, &interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey,
			obj client.Object, opts ...client.GetOption) error {
			count()
			return c.Get(ctx, key, obj, opts...)
		},
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList,
			opts ...client.ListOption) error {
			count()
			return c.List(ctx, list, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object,
			opts ...client.DeleteOption) error {
			count()
			return c.Delete(ctx, obj, opts...)
		},
	})
	if n := calls.Load(); n != 0 {
		t.Errorf("%d calls to Kubernetes, want none", n)
	}
}

// runErrorCases sends each request, POST to the clusters by default, to a server over a fake
// client (with funcs, if given, in front of it), and expects the error answer: 400 and code 3
// unless the case says otherwise, and exactly the message.
func runErrorCases(t *testing.T, cases map[string]errorCase, funcs *interceptor.Funcs) {
	t.Helper()
	b := fake.NewClientBuilder().WithScheme(Scheme()).WithObjects(fuzzTemplates(t)...)
	if funcs != nil {
		b = b.WithInterceptorFuncs(*funcs)
	}
	handler := startTestServer(t, b.Build())
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			method, path := tc.method, tc.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = clustersPath
			}
			status, code := tc.status, tc.code
			if status == 0 {
				status, code = http.StatusBadRequest, 3
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(tc.body)))
			var got struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("status %d, body %s: %v", rec.Code, rec.Body, err)
			}
			if rec.Code != status || got.Code != code {
				t.Errorf("status %d, code %d, want %d and %d", rec.Code, got.Code, status, code)
			}
			if got.Message != tc.message {
				t.Errorf("message\n got %s\nwant %s", got.Message, tc.message)
			}
		})
	}
}
