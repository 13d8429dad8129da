// Package auth authenticates and authorizes the API server's callers through the Kubernetes API:
// the caller's bearer token goes to a TokenReview, and the user it names to a
// SubjectAccessReview for the verb and resource the call stands for, in the namespace of the
// request. A call is refused with Unauthenticated (401) without a valid token and with
// PermissionDenied (403) without the permission; a call the table of methods does not know is
// refused too.
package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
)

// cacheTTL is how long a positive review is reused for the same token or the same question. It
// bounds both the load on the Kubernetes API and how long a revoked token or permission still
// works. Refusals are not cached, so a permission granted a moment ago works at once.
const cacheTTL = 10 * time.Second

// Reviewer asks the Kubernetes API who a caller is and what the caller may do.
type Reviewer struct {
	client kubernetes.Interface
	users  *ttlCache[*authnv1.UserInfo]
	access *ttlCache[bool]
}

// NewReviewer returns a Reviewer that sends its reviews through client, whose user needs to
// create tokenreviews and subjectaccessreviews (the system:auth-delegator ClusterRole).
func NewReviewer(client kubernetes.Interface, clk clock.PassiveClock) *Reviewer {
	return &Reviewer{client: client, users: newTTLCache[*authnv1.UserInfo](clk, cacheTTL),
		access: newTTLCache[bool](clk, cacheTTL)}
}

type userKey struct{}

// UserFrom returns the authenticated user of a call, or nil.
func UserFrom(ctx context.Context) *authnv1.UserInfo {
	u, _ := ctx.Value(userKey{}).(*authnv1.UserInfo)
	return u
}

// UnaryInterceptor authenticates and authorizes every gRPC call, including the calls of the
// HTTP gateway, which forwards the Authorization header.
func (r *Reviewer) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo,
		handler grpc.UnaryHandler) (any, error) {
		if publicMethods[info.FullMethod] {
			return handler(ctx, req)
		}
		attrs, err := attributesOf(info.FullMethod, req)
		if err != nil {
			return nil, err
		}
		user, err := r.authenticate(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.authorize(ctx, user, attrs); err != nil {
			return nil, err
		}
		return handler(context.WithValue(ctx, userKey{}, user), req)
	}
}

// authenticate reviews the bearer token of the call.
func (r *Reviewer) authenticate(ctx context.Context) (*authnv1.UserInfo, error) {
	token := bearerToken(ctx)
	if token == "" {
		return nil, status.Error(codes.Unauthenticated,
			"a bearer token is required: send the header 'Authorization: Bearer <token>'")
	}
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(token)))
	if u, ok := r.users.get(key); ok {
		return u, nil
	}
	review, err := r.client.AuthenticationV1().TokenReviews().Create(ctx, &authnv1.TokenReview{
		Spec: authnv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "cannot review the token: %v", err)
	}
	if !review.Status.Authenticated {
		return nil, status.Error(codes.Unauthenticated, "the bearer token was not accepted")
	}
	user := &review.Status.User
	r.users.put(key, user)
	return user, nil
}

// bearerToken is the token of the call's authorization metadata, or empty.
func bearerToken(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
		if ok && strings.EqualFold(scheme, "bearer") && strings.TrimSpace(token) != "" {
			return strings.TrimSpace(token)
		}
	}
	return ""
}

// authorize asks whether the user may do what the call stands for.
func (r *Reviewer) authorize(ctx context.Context, u *authnv1.UserInfo,
	attrs authzv1.ResourceAttributes) error {
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%v\x00%+v", u.Username, u.UID,
		strings.Join(u.Groups, ","), u.Extra, attrs)
	allowed, ok := r.access.get(key)
	reason := ""
	if !ok {
		extra := map[string]authzv1.ExtraValue{}
		for k, v := range u.Extra {
			extra[k] = authzv1.ExtraValue(v)
		}
		review, err := r.client.AuthorizationV1().SubjectAccessReviews().Create(ctx,
			&authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
				User: u.Username, UID: u.UID, Groups: u.Groups, Extra: extra,
				ResourceAttributes: &attrs,
			}}, metav1.CreateOptions{})
		if err != nil {
			return status.Errorf(codes.Unavailable, "cannot review the access: %v", err)
		}
		allowed, reason = review.Status.Allowed, review.Status.Reason
		if allowed {
			r.access.put(key, true)
		}
	}
	if allowed {
		return nil
	}
	return status.Error(codes.PermissionDenied, denial(u.Username, attrs, reason))
}

func denial(user string, a authzv1.ResourceAttributes, reason string) string {
	where := fmt.Sprintf("in namespace %q", a.Namespace)
	if a.Namespace == "" {
		where = "in all namespaces"
	}
	msg := fmt.Sprintf("user %q may not %s %s %s", user, a.Verb, a.Resource, where)
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}
