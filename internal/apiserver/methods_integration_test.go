//go:build integration

package apiserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawPost sends a POST with the given headers and no others, and returns the answer.
func rawPost(t *testing.T, path, body string, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+open.HTTPAddr()+path,
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// TestMethodsAreWhatTheySay: a POST is never served as another method, whatever its body or
// headers (a form body once made it a GET, X-HTTP-Method-Override a DELETE), and a body
// labelled as a form or text, which any web page can send, is refused before it creates
// anything.
func TestMethodsAreWhatTheySay(t *testing.T) {
	ns := newNamespace(t)
	createTemplates(t, ns)
	cluster := "/apis/v1/namespaces/" + ns + "/clusters/demo"
	call(t, open, http.MethodPost, "/apis/v1/namespaces/"+ns+"/clusters", clusterJSON(ns, "demo"),
		"").expect(t, http.StatusOK)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

	rawPost(t, cluster, "", form).expectError(t, http.StatusMethodNotAllowed, 12)
	rawPost(t, "/apis/v1/clusters", "", form).
		expectError(t, http.StatusMethodNotAllowed, 12)
	override := map[string]string{"Content-Type": "application/x-www-form-urlencoded",
		"X-HTTP-Method-Override": "DELETE"}
	rawPost(t, cluster, "", override).
		expectError(t, http.StatusMethodNotAllowed, 12)
	call(t, open, http.MethodGet, cluster, nil, "").expect(t, http.StatusOK)

	for _, media := range []string{"application/x-www-form-urlencoded", "text/plain; charset=utf-8",
		"multipart/form-data; boundary=x"} {
		r := rawPost(t, "/apis/v1/namespaces/"+ns+"/clusters",
			clusterJSON(ns, "from-a-page"), map[string]string{"Content-Type": media})
		r.expectError(t, http.StatusUnsupportedMediaType, 3, "Content-Type",
			strings.Split(media, ";")[0], "application/json")
		call(t, open, http.MethodGet, "/apis/v1/namespaces/"+ns+"/clusters/from-a-page", nil, "").
			expectError(t, http.StatusNotFound, 5)
	}
	// No Content-Type at all is read as JSON, as programs that send JSON often do.
	rawPost(t, "/apis/v1/namespaces/"+ns+"/clusters", clusterJSON(ns, "plain"),
		nil).expect(t, http.StatusOK)
}
