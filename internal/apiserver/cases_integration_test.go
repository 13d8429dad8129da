//go:build integration

package apiserver_test

import (
	"fmt"
	"net/http"
	"testing"
)

// Known case 1: GET of a cluster that does not exist is 404, code 5 (NotFound), and the
// message says which cluster was not found.
func TestCase1GetMissingCluster(t *testing.T) {
	ns := newNamespace(t)
	for _, v := range []string{"v1", "v1alpha2"} {
		call(t, open, http.MethodGet, "/apis/"+v+"/namespaces/"+ns+"/clusters/nope", nil, "").
			expectError(t, http.StatusNotFound, 5, `cluster "nope" not found`, ns)
	}
}

// Known case 2: a worker group without a groupName is 400, code 3 (InvalidArgument), and the
// message names the group's index and the field; nothing is created.
func TestCase2EmptyGroupName(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	body := fmt.Sprintf(`{"name": "nameless", "namespace": %q, "user": "jane",
	  "clusterSpec": {"headGroupSpec": {"computeTemplate": "head"},
	    "workerGroupSpec": [{"groupName": "", "computeTemplate": "head", "maxReplicas": 1}]}}`, ns)
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters", body, "").
		expectError(t, http.StatusBadRequest, 3, "clusterSpec.workerGroupSpec[0].groupName",
			"Required value")
	if n := len(rayClusters(t, ns)); n != 0 {
		t.Errorf("%d RayClusters created, want none", n)
	}
}

// Known case 3: creating a compute template twice is 409, code 6 (AlreadyExists).
func TestCase3TemplateTwice(t *testing.T) {
	ns := newNamespace(t)
	body := fmt.Sprintf(`{"name": "twice", "namespace": %q, "cpu": 1, "memory": 1}`, ns)
	path := "/apis/v1/namespaces/" + ns + "/compute_templates"
	call(t, open, http.MethodPost, path, body, "").expect(t, http.StatusOK)
	call(t, open, http.MethodPost, path, body, "").
		expectError(t, http.StatusConflict, 6, `compute template "twice" already exists`)
}

// Known case 4: a cluster naming a compute template that does not exist is 400, naming the
// template and the field, and nothing is created.
func TestCase4MissingTemplate(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	body := fmt.Sprintf(`{"name": "orphan", "namespace": %q, "user": "jane",
	  "clusterSpec": {"headGroupSpec": {"computeTemplate": "head"},
	    "workerGroupSpec": [{"groupName": "g", "computeTemplate": "does-not-exist",
	      "maxReplicas": 1}]}}`, ns)
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters", body, "").
		expectError(t, http.StatusBadRequest, 3, `"does-not-exist"`,
			"clusterSpec.workerGroupSpec[0].computeTemplate", "does not exist")
	if n := len(rayClusters(t, ns)); n != 0 {
		t.Errorf("%d RayClusters created, want none", n)
	}
}
