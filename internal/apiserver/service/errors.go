package service

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/raykube/raykube/internal/apiserver/convert"
)

// invalid is the InvalidArgument error of a request whose fields failed validation; the message
// names every bad field.
func invalid(what string, errs field.ErrorList) error {
	return status.Error(codes.InvalidArgument, (&convert.Invalid{What: what, Errs: errs}).Error())
}

// notFound is the NotFound error of a named object.
func notFound(kind, ns, name string) error {
	return status.Errorf(codes.NotFound, "%s %s not found in namespace %s", kind,
		convert.Quote(name), convert.Quote(ns))
}

// alreadyExists is the AlreadyExists error of a named object; what follows says what else may
// hold the name.
func alreadyExists(kind, ns, name, what string) error {
	return status.Errorf(codes.AlreadyExists, "%s %s already exists in namespace %s%s", kind,
		convert.Quote(name), convert.Quote(ns), what)
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

// checkList refuses a namespace that could name no namespace (empty is every namespace) and a
// negative page size.
func checkList(ns string, p Page) error {
	var errs field.ErrorList
	if ns != "" {
		errs = append(errs, convert.ValidateRequestNamespace(ns)...)
	}
	if p.Limit < 0 {
		errs = append(errs, field.Invalid(field.NewPath("limit"), p.Limit, "must not be negative"))
	}
	return invalidRequest(errs)
}

// Page selects a page of a list: at most Limit items (0 for all), from the Continue token of
// the previous page.
type Page struct {
	Limit    int64
	Continue string
}

// checkKey refuses a namespace and name of a request that could name no object.
func checkKey(ns, name string) error {
	return invalidRequest(append(convert.ValidateRequestNamespace(ns),
		convert.ValidateRequestName(name)...))
}

// checkNamespace refuses a namespace of a request that could name no namespace.
func checkNamespace(ns string) error {
	return invalidRequest(convert.ValidateRequestNamespace(ns))
}

// CheckRequest refuses, with InvalidArgument naming the field, a request whose namespace or
// name could name no object: the request's GetNamespace and GetName, for the requests that
// have them. The service's calls check the same; this lets a server refuse such a request
// before any other work, such as asking Kubernetes who the caller is.
func CheckRequest(req any) error {
	var errs field.ErrorList
	if r, ok := req.(interface{ GetNamespace() string }); ok {
		errs = append(errs, convert.ValidateRequestNamespace(r.GetNamespace())...)
	}
	if r, ok := req.(interface{ GetName() string }); ok {
		errs = append(errs, convert.ValidateRequestName(r.GetName())...)
	}
	return invalidRequest(errs)
}

// invalidRequest is the InvalidArgument error of a request with errs, nil without errors.
func invalidRequest(errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return invalid("request", errs)
}
