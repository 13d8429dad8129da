package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// invalid is the InvalidArgument error of a request whose fields failed validation; the message
// names every bad field.
func invalid(what string, errs field.ErrorList) error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return status.Errorf(codes.InvalidArgument, "invalid %s: %s", what, strings.Join(msgs, "; "))
}

// notFound is the NotFound error of a named object.
func notFound(kind, ns, name string) error {
	return status.Errorf(codes.NotFound, "%s %q not found in namespace %q", kind, name, ns)
}

// fromKube turns an error of the Kubernetes API into a status error of the same meaning,
// keeping Kubernetes' message, which names the object and the field.
func fromKube(err error, action string) error {
	code := kubeCode(err)
	msg := err.Error()
	if code == codes.Internal {
		msg = fmt.Sprintf("%s: %v", action, err)
	}
	return status.Error(code, msg)
}

func kubeCode(err error) codes.Code {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	case apierrors.IsNotFound(err):
		return codes.NotFound
	case apierrors.IsAlreadyExists(err):
		return codes.AlreadyExists
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return codes.InvalidArgument
	case apierrors.IsResourceExpired(err), apierrors.IsGone(err):
		return codes.FailedPrecondition
	case apierrors.IsForbidden(err):
		return codes.PermissionDenied
	case apierrors.IsConflict(err):
		return codes.Aborted
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return codes.DeadlineExceeded
	case apierrors.IsTooManyRequests(err), apierrors.IsServiceUnavailable(err):
		return codes.Unavailable
	}
	// Anything else, such as the server's own credentials being refused, is not the caller's
	// doing.
	return codes.Internal
}

// checkPage refuses a negative page size.
func checkPage(p Page) error {
	if p.Limit < 0 {
		return status.Errorf(codes.InvalidArgument,
			"limit: Invalid value: %d: must not be negative", p.Limit)
	}
	return nil
}

// Page selects a page of a list: at most Limit items (0 for all), from the Continue token of
// the previous page.
type Page struct {
	Limit    int64
	Continue string
}

// required refuses an empty name or namespace of a request.
func required(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			return status.Errorf(codes.InvalidArgument, "%s: Required value", fields[i])
		}
	}
	return nil
}
