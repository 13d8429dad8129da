package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/apiserver/service"
)

func newService(t *testing.T, objs ...client.Object) (*service.Service, client.Client) {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := rayv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).Build()
	return service.New(c, convert.Options{}), c
}

func rayCluster(name string, groups ...string) *rayv1.RayCluster {
	rc := &rayv1.RayCluster{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}
	for _, g := range groups {
		rc.Spec.WorkerGroupSpecs = append(rc.Spec.WorkerGroupSpecs,
			rayv1.WorkerGroupSpec{GroupName: g})
	}
	return rc
}

func event(name, kind, object string, minute int) *corev1.Event {
	at := metav1.NewTime(time.Date(2026, 1, 1, 0, minute, 0, 0, time.UTC))
	return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: object, Namespace: "ns"},
		FirstTimestamp: at, LastTimestamp: at, Reason: name}
}

// TestGetClusterEvents checks which events a cluster gets: its own, its live pods' (by label),
// and its deleted pods' (by name), newest last; not those of a cluster whose name it prefixes.
func TestGetClusterEvents(t *testing.T) {
	livePod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "odd-name",
		Labels: map[string]string{"ray.io/cluster": "demo"}}}
	svc, _ := newService(t, rayCluster("demo", "small"), rayCluster("demo-two"), livePod,
		event("cluster", "RayCluster", "demo", 3),
		event("live-pod", "Pod", "odd-name", 2),
		event("old-head", "Pod", "demo-head-x7k2p", 1),
		event("old-worker", "Pod", "demo-small-worker-abcde", 4),
		event("other-cluster", "RayCluster", "demo-two", 5),
		event("other-pod", "Pod", "demo-two-head-qqqqq", 6),
	)
	got, err := svc.GetCluster(context.Background(), "ns", "demo")
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range got.Events {
		reasons = append(reasons, e.Reason)
	}
	want := []string{"old-head", "live-pod", "cluster", "old-worker"}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestTemplatesAreOnlyTemplates checks that a ConfigMap that is not a compute template is
// neither read nor deleted as one.
func TestTemplatesAreOnlyTemplates(t *testing.T) {
	plain := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "plain"}}
	svc, c := newService(t, plain)
	ctx := context.Background()
	if _, err := svc.GetComputeTemplate(ctx, "ns", "plain"); status.Code(err) != codes.NotFound {
		t.Errorf("get: %v, want NotFound", err)
	}
	if err := svc.DeleteComputeTemplate(ctx, "ns", "plain"); status.Code(err) != codes.NotFound {
		t.Errorf("delete: %v, want NotFound", err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(plain), &corev1.ConfigMap{}); err != nil {
		t.Errorf("the ConfigMap is gone: %v", err)
	}
}

// TestRequestChecks checks the InvalidArgument answers to missing names and bad pages.
func TestRequestChecks(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	_, err := svc.GetCluster(ctx, "ns", "")
	expect(t, err, codes.InvalidArgument, "name: Required value")
	_, _, err = svc.ListClusters(ctx, "ns", service.Page{Limit: -1})
	expect(t, err, codes.InvalidArgument, "limit: Invalid value: -1")
	err = svc.DeleteCluster(ctx, "", "x")
	expect(t, err, codes.InvalidArgument, "namespace: Required value")
	err = svc.DeleteCluster(ctx, "ns", "x")
	expect(t, err, codes.NotFound, `cluster "x" not found in namespace "ns"`)
	_, err = svc.GetComputeTemplate(ctx, "ns", "Bad_Name")
	expect(t, err, codes.InvalidArgument, `invalid request: name: Invalid value: "Bad_Name": `)
	_, _, err = svc.ListComputeTemplates(ctx, "NS!", service.Page{})
	expect(t, err, codes.InvalidArgument, `invalid request: namespace: Invalid value: "NS!": `)
}

// TestCheckRequest checks the names of requests of every shape: namespace and name, namespace
// only, neither.
func TestCheckRequest(t *testing.T) {
	cases := map[string]struct {
		req  any
		want string // the start of the message; empty for no error
	}{
		"valid get":    {req: &apiv1.GetClusterRequest{Namespace: "ns", Name: "demo"}},
		"valid create": {req: &apiv1.CreateClusterRequest{Namespace: "ns"}},
		"list all":     {req: &apiv1.ListAllClustersRequest{}},
		"bad name": {req: &apiv1.DeleteComputeTemplateRequest{Namespace: "ns", Name: "Bad_Name"},
			want: `invalid request: name: Invalid value: "Bad_Name": a lowercase RFC 1123`},
		"bad namespace": {req: &apiv1.ListClustersRequest{Namespace: "NS!"},
			want: `invalid request: namespace: Invalid value: "NS!": a lowercase RFC 1123`},
		"no name": {req: &apiv1.GetComputeTemplateRequest{Namespace: "ns"},
			want: "invalid request: name: Required value"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := service.CheckRequest(tc.req)
			if tc.want == "" {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			expect(t, err, codes.InvalidArgument, tc.want)
		})
	}
}

func expect(t *testing.T, err error, code codes.Code, msg string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code || !strings.Contains(st.Message(), msg) {
		t.Errorf("error %v, want %v containing %q", err, code, msg)
	}
}
