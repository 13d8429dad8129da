//go:build integration

package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver"
	"github.com/raykube/raykube/internal/logging"
	"github.com/raykube/raykube/internal/operator"
	"github.com/raykube/raykube/internal/testenv"
)

// TestOperatorRunsAsItsServiceAccount runs the operator with the options of its Deployment and
// a token of its ServiceAccount, and checks that, with no permission but the installed RBAC, it
// becomes leader, reports it in an event, and brings the sample RayCluster its pods, Service,
// events and status.
func TestOperatorRunsAsItsServiceAccount(t *testing.T) {
	install(t)
	opts := operatorOptions(t)
	// In a pod the operator reads its namespace from the ServiceAccount's files; here it is
	// told. Its ports are the test's choice: the Deployment's may be taken on this machine.
	opts.LeaderElectionNamespace = namespace
	opts.MetricsAddr, opts.HealthProbeAddr = "0", "0"
	opts.SeveralManagersPerProcess = true
	log := logging.New("console", 0)
	ctrl.SetLogger(log)
	mgr, err := operator.NewManager(serviceAccountConfig(t, namespace, operatorName), opts, log)
	if err != nil {
		t.Fatal(err)
	}
	testenv.RunInBackground(t, "the operator", mgr.Start)

	ctx, c := context.Background(), env.Client
	testenv.Eventually(t, "the operator holds the leader lease", timeout, func() error {
		var leases coordinationv1.LeaseList
		if err := c.List(ctx, &leases, client.InNamespace(namespace)); err != nil {
			return err
		}
		for _, l := range leases.Items {
			if l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "" {
				return nil
			}
		}
		return fmt.Errorf("%d leases, none held", len(leases.Items))
	})
	testenv.Eventually(t, "the leader election event", timeout, func() error {
		var events corev1.EventList
		if err := c.List(ctx, &events, client.InNamespace(namespace)); err != nil {
			return err
		}
		for _, e := range events.Items {
			if e.Reason == "LeaderElection" {
				return nil
			}
		}
		return errors.New("none yet")
	})

	ns := env.NewNamespace(t, "install-")
	sample := filepath.Join(env.RepoRoot, "config", "samples", "ray-cluster.sample.yaml")
	if _, err := env.Kubectl("apply", "--server-side", "-n", ns, "-f", sample); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the sample's head pod, Service, events and status", timeout,
		func() error { return reconciled(ctx, ns) })
}

// reconciled tells whether the operator has created the head pod and Service of the
// namespace's RayCluster, recorded events about it and written its status.
func reconciled(ctx context.Context, ns string) error {
	c := env.Client
	var clusters rayv1.RayClusterList
	if err := c.List(ctx, &clusters, client.InNamespace(ns)); err != nil {
		return err
	}
	if len(clusters.Items) != 1 || clusters.Items[0].Status.ObservedGeneration == 0 {
		return errors.New("no status written")
	}
	var pods corev1.PodList
	var services corev1.ServiceList
	var events eventsv1.EventList
	head := client.MatchingLabels{"ray.io/node-type": "head"}
	for _, list := range []client.ObjectList{&pods, &services} {
		if err := c.List(ctx, list, client.InNamespace(ns), head); err != nil {
			return err
		}
	}
	if err := c.List(ctx, &events, client.InNamespace(ns)); err != nil {
		return err
	}
	if len(pods.Items) == 0 || len(services.Items) == 0 || len(events.Items) == 0 {
		return fmt.Errorf("%d head pods, %d head Services, %d events", len(pods.Items),
			len(services.Items), len(events.Items))
	}
	return nil
}

// TestAPIServerRunsAsItsServiceAccount runs the API server with the options of its Deployment
// and a token of its ServiceAccount, gives a user access with the RoleBinding example of
// docs/install.md, and makes every kind of call as that user: each needs the API server's own
// permissions (token and access reviews, RayClusters, ConfigMaps, and the events and pods of
// a cluster's answer).
func TestAPIServerRunsAsItsServiceAccount(t *testing.T) {
	install(t)
	opts := apiServerOptions(t)
	opts.HTTPAddr, opts.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0"
	opts.Log = logging.New("console", 0)
	srv, err := apiserver.NewServer(serviceAccountConfig(t, namespace, apiName), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	testenv.RunInBackground(t, "the API server", srv.Serve)

	ctx, token := context.Background(), documentedUser(t)
	api := "http://" + srv.HTTPAddr() + "/apis/v1"
	nsPath := api + "/namespaces/" + userNamespace
	call(t, http.MethodPost, nsPath+"/compute_templates", token, http.StatusOK, fmt.Sprintf(
		`{"name": "small", "namespace": %q, "cpu": 1, "memory": 2}`, userNamespace))
	call(t, http.MethodPost, nsPath+"/clusters", token, http.StatusOK, fmt.Sprintf(`{
	  "name": "demo", "namespace": %q, "user": "jane", "version": "2.9.0",
	  "clusterSpec": {"headGroupSpec": {"computeTemplate": "small"},
	    "workerGroupSpec": [{"groupName": "workers", "computeTemplate": "small",
	      "replicas": 1, "minReplicas": 1, "maxReplicas": 2}]}}`, userNamespace))
	event := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: userNamespace, Name: "demo.install-test"},
		InvolvedObject: corev1.ObjectReference{Kind: "RayCluster", APIVersion: "ray.io/v1",
			Namespace: userNamespace, Name: "demo"},
		Reason: "InstallTest", Message: "Read by the API server", Type: corev1.EventTypeNormal}
	if err := env.Client.Create(ctx, event); err != nil {
		t.Fatal(err)
	}
	// The event comes only through the API server's list of the namespace's events and pods.
	body := call(t, http.MethodGet, nsPath+"/clusters/demo", token, http.StatusOK, "")
	if !strings.Contains(body, "InstallTest") {
		t.Errorf("the cluster comes without its event: %s", body)
	}
	call(t, http.MethodGet, nsPath+"/clusters", token, http.StatusOK, "")
	call(t, http.MethodGet, nsPath+"/compute_templates", token, http.StatusOK, "")
	call(t, http.MethodGet, nsPath+"/compute_templates/small", token, http.StatusOK, "")
	// The example's Role is for one namespace.
	call(t, http.MethodGet, api+"/clusters", token, http.StatusForbidden, "")
	call(t, http.MethodDelete, nsPath+"/clusters/demo", token, http.StatusOK, "")
	call(t, http.MethodDelete, nsPath+"/compute_templates/small", token, http.StatusOK, "")
}

// documentedUser applies the RoleBinding example of docs/install.md, in its namespace, and
// returns a token of the ServiceAccount it names.
func documentedUser(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	objs, err := decodeAll(documentBlock(t, "kind: RoleBinding"))
	if err != nil || len(objs) == 0 {
		t.Fatalf("the RoleBinding example of docs/install.md: %d objects, %v", len(objs), err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: userNamespace}}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: userNamespace,
		Name: "pipeline"}}
	for _, obj := range append([]client.Object{ns, sa}, unstructuredObjects(objs)...) {
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatalf("creating %s %s of the example: %v",
				obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), err)
		}
	}
	return serviceAccountToken(t, userNamespace, "pipeline")
}

// call makes an HTTP call with a bearer token, checks its status and returns its body.
func call(t *testing.T, method, url, token string, want int, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, got)
	}
	return string(got)
}
