package auth

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	clocktesting "k8s.io/utils/clock/testing"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// fakeKube answers TokenReviews from a table of tokens and SubjectAccessReviews from a table
// of allowed "user verb resource namespace" strings, and counts the reviews.
type fakeKube struct {
	users   map[string]string // token → user name
	allowed map[string]bool
	reviews int
}

func (k *fakeKube) clientset() *fake.Clientset {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "tokenreviews", func(a k8stesting.Action) (bool,
		runtime.Object, error) {
		k.reviews++
		tr := a.(k8stesting.CreateAction).GetObject().(*authnv1.TokenReview)
		if name, ok := k.users[tr.Spec.Token]; ok {
			tr.Status = authnv1.TokenReviewStatus{Authenticated: true,
				User: authnv1.UserInfo{Username: name, Groups: []string{"devs"}}}
		}
		return true, tr, nil
	})
	cs.PrependReactor("create", "subjectaccessreviews", func(a k8stesting.Action) (bool,
		runtime.Object, error) {
		k.reviews++
		sar := a.(k8stesting.CreateAction).GetObject().(*authzv1.SubjectAccessReview)
		ra := sar.Spec.ResourceAttributes
		key := sar.Spec.User + " " + ra.Verb + " " + ra.Resource + " " + ra.Namespace
		sar.Status.Allowed = k.allowed[key]
		if !sar.Status.Allowed {
			sar.Status.Reason = "no RBAC policy matched"
		}
		return true, sar, nil
	})
	return cs
}

func TestInterceptor(t *testing.T) {
	kube := &fakeKube{users: map[string]string{"alice-token": "alice"},
		allowed: map[string]bool{"alice create rayclusters ns": true}}
	clk := clocktesting.NewFakePassiveClock(time.Now())
	intercept := NewReviewer(kube.clientset(), clk).UnaryInterceptor()
	create := &grpc.UnaryServerInfo{FullMethod: apiv1.ClusterService_CreateCluster_FullMethodName}
	listAll := &grpc.UnaryServerInfo{
		FullMethod: apiv1.ClusterService_ListAllClusters_FullMethodName}
	unknown := &grpc.UnaryServerInfo{FullMethod: "/raykube.apiserver.v1.ClusterService/Other"}
	req := &apiv1.CreateClusterRequest{Namespace: "ns"}

	const alice = "Bearer alice-token"
	const unauthenticated, denied = codes.Unauthenticated, codes.PermissionDenied
	cases := map[string]struct {
		auth string
		info *grpc.UnaryServerInfo
		req  any
		want codes.Code
	}{
		"no token":              {info: create, req: req, want: unauthenticated},
		"not a bearer token":    {auth: "Basic abc", info: create, req: req, want: unauthenticated},
		"unknown token":         {auth: "Bearer x", info: create, req: req, want: unauthenticated},
		"allowed":               {auth: alice, info: create, req: req, want: codes.OK},
		"scheme in lower case":  {auth: "bearer alice-token", info: create, req: req},
		"method not in the map": {auth: alice, info: unknown, req: req, want: denied},
		"other namespace": {auth: alice, info: create,
			req: &apiv1.CreateClusterRequest{Namespace: "x"}, want: denied},
		"all namespaces": {auth: alice, info: listAll,
			req: &apiv1.ListAllClustersRequest{}, want: denied},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if tc.auth != "" {
				ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", tc.auth))
			}
			var user string
			handler := func(ctx context.Context, _ any) (any, error) {
				user = UserFrom(ctx).Username
				return nil, nil
			}
			_, err := intercept(ctx, tc.req, tc.info, handler)
			if got := status.Code(err); got != tc.want {
				t.Fatalf("code %v (%v), want %v", got, err, tc.want)
			}
			if tc.want == codes.OK && user != "alice" {
				t.Errorf("user in the context = %q, want alice", user)
			}
		})
	}
}

// TestInterceptorCachesAllowedOnly reuses a positive answer for a while but asks again after a
// refusal, so that a permission granted a moment ago works at once.
func TestInterceptorCachesAllowedOnly(t *testing.T) {
	kube := &fakeKube{users: map[string]string{"t": "bob"}, allowed: map[string]bool{}}
	clk := clocktesting.NewFakePassiveClock(time.Now())
	intercept := NewReviewer(kube.clientset(), clk).UnaryInterceptor()
	info := &grpc.UnaryServerInfo{FullMethod: apiv1.ClusterService_GetCluster_FullMethodName}
	req := &apiv1.GetClusterRequest{Namespace: "ns", Name: "c"}
	ctx := metadata.NewIncomingContext(context.Background(),
		metadata.Pairs("authorization", "Bearer t"))
	ok := func(context.Context, any) (any, error) { return nil, nil }

	if _, err := intercept(ctx, req, info, ok); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("before the grant: %v", err)
	}
	kube.allowed["bob get rayclusters ns"] = true
	if _, err := intercept(ctx, req, info, ok); err != nil {
		t.Fatalf("after the grant: %v", err)
	}
	before := kube.reviews
	if _, err := intercept(ctx, req, info, ok); err != nil || kube.reviews != before {
		t.Errorf("second allowed call: %v, %d more reviews, want none", err, kube.reviews-before)
	}
	clk.SetTime(clk.Now().Add(cacheTTL))
	if _, err := intercept(ctx, req, info, ok); err != nil || kube.reviews != before+2 {
		t.Errorf("after the TTL: %v, %d more reviews, want 2", err, kube.reviews-before)
	}
}
