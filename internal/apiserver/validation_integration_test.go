//go:build integration

package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// environments is the list of accepted values of a message about environment.
const environments = `supported values: "0 (DEV)", "1 (TESTING)", "2 (STAGING)", ` +
	`"3 (PRODUCTION)"`

// expectInvalid checks an answer of InvalidArgument: status 400, code 3, and exactly the
// message.
func (r response) expectInvalid(t *testing.T, message string) {
	t.Helper()
	r.expectError(t, http.StatusBadRequest, 3)
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatal(err)
	}
	if e.Message != message {
		t.Errorf("message\n got %s\nwant %s", e.Message, message)
	}
}

// validCluster is a body the server accepts in namespace ns (templates of createTemplates),
// changed by replacing old with new.
func validCluster(ns, old, new string) string {
	body := clusterJSON(ns, "demo")
	if !strings.Contains(body, old) {
		panic(fmt.Sprintf("%q is not in the cluster body", old))
	}
	return strings.Replace(body, old, new, 1)
}

// TestEnumNames checks that an enum given by a name it does not have is refused, naming the
// field and the accepted values, where it once became the enum's default; and that a name it
// has is read, and an unknown field still ignored.
func TestEnumNames(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	clusters := "/apis/v1/namespaces/" + ns + "/clusters"

	call(t, open, http.MethodPost, clusters,
		validCluster(ns, `"environment": 3`, `"environment": "PROD"`), "").
		expectInvalid(t, `invalid cluster: environment: Unsupported value: "PROD": `+environments)
	call(t, open, http.MethodPost, clusters,
		validCluster(ns, `"environment": 3`, `"environment": 7`), "").
		expectInvalid(t, `invalid cluster: environment: Unsupported value: 7: `+environments)
	call(t, open, http.MethodPost, clusters, validCluster(ns, `"annotations": {"note": "head pod"}`,
		`"volumes": [{"name": "v", "mountPath": "/v", "volumeType": "NFS",
		  "accessMode": "RWM"}], "environment": {"valuesFrom": {"X": {"source": "VAULT"}}}`), "").
		expectInvalid(t, `invalid cluster: `+
			`clusterSpec.headGroupSpec.volumes[0].volumeType: Unsupported value: "NFS": `+
			`supported values: "0 (PERSISTENT_VOLUME_CLAIM)", "1 (HOST_PATH)", `+
			`"2 (EPHEMERAL)", "3 (CONFIGMAP)", "4 (SECRET)", "5 (EMPTY_DIR)"; `+
			`clusterSpec.headGroupSpec.volumes[0].accessMode: Unsupported value: "RWM": `+
			`supported values: "0 (RWO)", "1 (ROX)", "2 (RWX)"; `+
			`clusterSpec.headGroupSpec.environment.valuesFrom[X].source: Unsupported value: `+
			`"VAULT": supported values: "0 (CONFIGMAP)", "1 (SECRET)", "2 (RESOURCEFIELD)", `+
			`"3 (FIELD)"`)
	if n := len(rayClusters(t, ns)); n != 0 {
		t.Fatalf("%d RayClusters created, want none", n)
	}

	var created apiv1.Cluster
	call(t, open, http.MethodPost, clusters,
		validCluster(ns, `"environment": 3`, `"environment": "STAGING"`), "").
		expect(t, http.StatusOK).into(t, &created)
	if created.Environment != apiv1.Cluster_STAGING {
		t.Errorf("environment = %v, want STAGING", created.Environment)
	}
	if got := rayClusters(t, ns)[0].Labels["ray.io/environment"]; got != "STAGING" {
		t.Errorf("label ray.io/environment = %q, want STAGING", got)
	}
}

// TestBodiesThatAreNotObjects checks the answers to bodies that are not one JSON object: 400,
// code 3, a message for people that says where broken JSON breaks; an empty body is a missing
// cluster.
func TestBodiesThatAreNotObjects(t *testing.T) {
	ns := newNamespace(t)
	const want = "the request body must be a JSON object"
	for body, message := range map[string]string{
		"[]":   want + ", not an array",
		"null": want + ", not null",
		`"x"`:  want + ", not a string",
		"1":    want + ", not a number",
		"": "cluster: Required value: the cluster to create, over HTTP the request body, " +
			"a JSON object",
		"{\"name\": \"demo\",\n  \"user\": \"jane\"": want +
			": unexpected end of JSON input, at line 2, column 17",
		`{"name": "demo",, "user": "jane"}`: want +
			": invalid character ',' looking for beginning of object key string, at line 1, " +
			"column 17",
	} {
		t.Run(body, func(t *testing.T) {
			call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters", body, "").
				expectInvalid(t, message)
		})
	}
	call(t, open, http.MethodPost, "/apis/v1alpha2/namespaces/"+ns+"/compute_templates", "",
		"").expectInvalid(t, "computeTemplate: Required value: the "+
		"compute template to create, over HTTP the request body, a JSON object")
}

// TestHugeValueQuotedBounded checks that a 500 KB name is quoted as its first 64 characters
// and its length, and the answer stays small.
func TestHugeValueQuotedBounded(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	name := strings.Repeat("n", 500_000)
	r := call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters",
		clusterJSON(ns, name), "")
	r.expectInvalid(t, `invalid cluster: name: Invalid value: "`+
		name[:64]+`…" (500000 characters): must be no more than 63 characters; `+
		`name: Too long: may not be more than 53 bytes`)
	if len(r.body) > 1024 {
		t.Errorf("the answer is %d bytes", len(r.body))
	}
}

// TestImpossibleNamesInPaths checks that a name or namespace in a path that could name no
// object is 400, code 3, naming the field, for clusters and templates, GET and DELETE; on the
// server with authentication too, where it is answered before any review.
func TestImpossibleNamesInPaths(t *testing.T) {
	ns := newNamespace(t)
	badName := `invalid request: name: Invalid value: "Bad_Name": a lowercase RFC 1123 ` +
		`subdomain must consist of lower case alphanumeric characters, '-' or '.', and must ` +
		`start and end with an alphanumeric character (e.g. 'example.com', regex used for ` +
		`validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
	badNamespace := `invalid request: namespace: Invalid value: "NS!": a lowercase RFC 1123 ` +
		`label must consist of lower case alphanumeric characters or '-', and must start and ` +
		`end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for ` +
		`validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		for _, kind := range []string{"clusters", "compute_templates"} {
			call(t, open, method, "/apis/v1/namespaces/"+ns+"/"+kind+"/Bad_Name", nil, "").
				expectInvalid(t, badName)
			call(t, open, method, "/apis/v1alpha2/namespaces/NS!/"+kind+"/demo", nil, "").
				expectInvalid(t, badNamespace)
		}
	}
	call(t, open, http.MethodGet, "/apis/v1/namespaces/NS!/clusters", nil, "").
		expectInvalid(t, badNamespace)
	call(t, secured, http.MethodGet, "/apis/v1/namespaces/"+ns+"/clusters/Bad_Name", nil, "").
		expectInvalid(t, badName)
	// A valid name that does not exist is still 404.
	call(t, open, http.MethodGet, "/apis/v1/namespaces/"+ns+"/clusters/good-name", nil, "").
		expectError(t, http.StatusNotFound, 5, `cluster "good-name" not found`)
}

// TestReplicasOutOfBounds checks that replicas beyond the group's bounds are refused, naming
// the group and the field, where the operator once brought them within the bounds unasked.
func TestReplicasOutOfBounds(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	clusters := "/apis/v1/namespaces/" + ns + "/clusters"
	group := `"replicas": 2, "minReplicas": 1, "maxReplicas": 4`
	call(t, open, http.MethodPost, clusters,
		validCluster(ns, group, `"replicas": 12, "minReplicas": 1, "maxReplicas": 5`), "").
		expectInvalid(t, "invalid cluster: clusterSpec."+
			"workerGroupSpec[0].replicas: Invalid value: 12: must not be greater than "+
			"maxReplicas (5)")
	call(t, open, http.MethodPost, clusters,
		validCluster(ns, group, `"replicas": 0, "minReplicas": 1, "maxReplicas": 4`), "").
		expectInvalid(t, "invalid cluster: clusterSpec."+
			"workerGroupSpec[0].replicas: Invalid value: 0: must not be less than "+
			"minReplicas (1)")
	call(t, open, http.MethodPost, clusters,
		validCluster(ns, group, `"replicas": -1, "minReplicas": 0, "maxReplicas": 4`), "").
		expectInvalid(t, "invalid cluster: clusterSpec."+
			"workerGroupSpec[0].replicas: Invalid value: -1: must not be negative")
	if n := len(rayClusters(t, ns)); n != 0 {
		t.Errorf("%d RayClusters created, want none", n)
	}
}

// TestTemplateNodeSelector creates a template with node_selector, as KubeRay's Python client
// sends it, and a cluster of it: the template keeps the selector, and every pod template of
// the cluster has it.
func TestTemplateNodeSelector(t *testing.T) {
	ns := newNamespace(t)
	templates := "/apis/v1/namespaces/" + ns + "/compute_templates"
	body := fmt.Sprintf(`{"name": "pinned", "namespace": %q, "cpu": 1, "memory": 2,
	  "node_selector": {"example.com/pool": "ray", "kubernetes.io/arch": "amd64"}}`, ns)
	want := map[string]string{"example.com/pool": "ray", "kubernetes.io/arch": "amd64"}
	var created, got apiv1.ComputeTemplate
	call(t, open, http.MethodPost, templates, body, "").expect(t, http.StatusOK).
		into(t, &created)
	call(t, open, http.MethodGet, templates+"/pinned", nil, "").expect(t, http.StatusOK).
		into(t, &got)
	for _, tmpl := range []*apiv1.ComputeTemplate{&created, &got} {
		if diff := cmp.Diff(want, tmpl.NodeSelector); diff != "" {
			t.Errorf("nodeSelector (-want +got):\n%s", diff)
		}
	}

	cluster := fmt.Sprintf(`{"name": "pinned", "namespace": %q, "user": "jane",
	  "clusterSpec": {"headGroupSpec": {"computeTemplate": "pinned"},
	    "workerGroupSpec": [{"groupName": "g", "computeTemplate": "pinned", "maxReplicas": 1}]}}`,
		ns)
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters", cluster, "").
		expect(t, http.StatusOK)
	rc := rayClusters(t, ns)[0]
	if diff := cmp.Diff(want, rc.Spec.HeadGroupSpec.Template.Spec.NodeSelector); diff != "" {
		t.Errorf("head nodeSelector (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want,
		rc.Spec.WorkerGroupSpecs[0].Template.Spec.NodeSelector); diff != "" {
		t.Errorf("worker nodeSelector (-want +got):\n%s", diff)
	}

	call(t, open, http.MethodPost, templates, fmt.Sprintf(`{"name": "bad", "namespace": %q,
	  "cpu": 1, "memory": 2, "nodeSelector": {"pool": "not a value!"}}`, ns), "").
		expectError(t, http.StatusBadRequest, 3,
			`invalid compute template: nodeSelector[pool]: Invalid value: "not a value!": `)
}

// TestGRPCValues checks over gRPC what JSON cannot send wrong: an enum number out of range is
// refused naming the field, and a toleration's value and effect, on their KubeRay field
// numbers, and a node selector come back as sent.
func TestGRPCValues(t *testing.T) {
	ns := newNamespace(t)
	conn := dialGRPC(t)
	ctx := context.Background()

	tmpl := &apiv1.ComputeTemplate{Name: "tolerant", Namespace: ns, Cpu: 1, Memory: 2,
		MemoryUnit: "Gi", Tolerations: []*apiv1.PodToleration{{Key: "k", Operator: "Equal",
			Value: "v", Effect: "NoSchedule"}},
		NodeSelector: map[string]string{"pool": "ray"}}
	templates := apiv1.NewComputeTemplateServiceClient(conn)
	if _, err := templates.CreateComputeTemplate(ctx, &apiv1.CreateComputeTemplateRequest{
		Namespace: ns, ComputeTemplate: tmpl}); err != nil {
		t.Fatal(err)
	}
	got, err := templates.GetComputeTemplate(ctx, &apiv1.GetComputeTemplateRequest{
		Namespace: ns, Name: "tolerant"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tmpl, got, protocmp.Transform()); diff != "" {
		t.Errorf("template (-want +got):\n%s", diff)
	}

	_, err = apiv1.NewClusterServiceClient(conn).CreateCluster(ctx,
		&apiv1.CreateClusterRequest{Namespace: ns, Cluster: &apiv1.Cluster{Name: "demo",
			Namespace: ns, User: "jane", Environment: 7, ClusterSpec: &apiv1.ClusterSpec{
				HeadGroupSpec: &apiv1.HeadGroupSpec{ComputeTemplate: "tolerant"}}}})
	want := `invalid cluster: environment: Unsupported value: 7: ` + environments
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || st.Message() != want {
		t.Errorf("error %v, want InvalidArgument %q", err, want)
	}
}
