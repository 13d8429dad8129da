//go:build integration

package apiserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
	"github.com/raykube/raykube/internal/testenv"
)

// eventuallyTimeout is how long the integration tests wait for the operator to act.
const eventuallyTimeout = 30 * time.Second

var (
	env *testenv.Env
	// open is an API server without authentication; secured one with --auth=kubernetes.
	open, secured *apiserver.Server
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

// runSuite starts the test API server, the operator and two raykube API servers, runs the
// tests, and stops everything.
func runSuite(m *testing.M) int {
	var err error
	if env, err = testenv.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the test API server: %v\n", err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping the test API server: %v\n", err)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopOperator, err := startOperator(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the operator: %v\n", err)
		return 1
	}
	defer stopOperator()
	if open, err = startServer(ctx, apiserver.AuthNone); err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the API server: %v\n", err)
		return 1
	}
	if secured, err = startServer(ctx, apiserver.AuthKubernetes); err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the API server with authentication: %v\n", err)
		return 1
	}
	return m.Run()
}

// startOperator runs the operator in process, as raykube-operator does, and returns a function
// that stops it and waits until it has.
func startOperator(ctx context.Context) (func(), error) {
	opts := operator.DefaultOptions()
	opts.MetricsAddr, opts.HealthProbeAddr, opts.LeaderElect = "0", "0", false
	opts.SeveralManagersPerProcess = true
	log := logging.New("console", 0)
	ctrl.SetLogger(log)
	mgr, err := operator.NewManager(env.Config, opts, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintf(os.Stderr, "operator stopped with an error: %v\n", err)
		}
	}, nil
}

// startServer runs an API server on free loopback ports until ctx is done.
func startServer(ctx context.Context, auth string) (*apiserver.Server, error) {
	opts := apiserver.DefaultOptions()
	opts.HTTPAddr, opts.GRPCAddr, opts.Auth = "127.0.0.1:0", "127.0.0.1:0", auth
	opts.Log = logging.New("console", 0)
	srv, err := apiserver.NewServer(env.Config, opts)
	if err != nil {
		return nil, err
	}
	if err := srv.Listen(); err != nil {
		return nil, err
	}
	go func() {
		if err := srv.Serve(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "API server stopped with an error: %v\n", err)
		}
	}()
	return srv, nil
}

// newNamespace creates a namespace for one test and deletes it when the test ends.
func newNamespace(t *testing.T) string { return env.NewNamespace(t, "api-") }

// eventually waits until check returns nil, for at most eventuallyTimeout.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.Eventually(t, what, eventuallyTimeout, check)
}

// response is an HTTP answer of the API server.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends an HTTP request to a server; body is sent as is when it is a string or []byte,
// else as JSON. A non-empty token goes in the Authorization header.
func call(t *testing.T, srv *apiserver.Server, method, path string, body any,
	token string) response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case proto.Message:
		data, err := protojson.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, "http://"+srv.HTTPAddr()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// expect fails the test unless the answer has the status; it returns the answer.
func (r response) expect(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// into decodes the answer into a message, refusing unknown fields: the server's JSON must be
// exactly its own schema.
func (r response) into(t *testing.T, m proto.Message) {
	t.Helper()
	if err := protojson.Unmarshal(r.body, m); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// apiError is the JSON of an error answer.
type apiError struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Details []json.RawMessage `json:"details"`
}

// expectError checks an error answer: the HTTP status, the gRPC code, the error format, and
// that the message contains every one of words.
func (r response) expectError(t *testing.T, status, code int, words ...string) {
	t.Helper()
	r.expect(t, status)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("error body %s is not JSON: %v", r.body, err)
	}
	for _, key := range []string{"code", "message", "details"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("error body %s has no %q", r.body, key)
		}
	}
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatal(err)
	}
	if e.Code != code {
		t.Errorf("code = %d, want %d; message %q", e.Code, code, e.Message)
	}
	for _, w := range words {
		if !strings.Contains(e.Message, w) {
			t.Errorf("message %q does not contain %q", e.Message, w)
		}
	}
}

// rayClusters lists the RayClusters of a namespace.
func rayClusters(t *testing.T, ns string) []rayv1.RayCluster {
	t.Helper()
	var list rayv1.RayClusterList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	return list.Items
}
