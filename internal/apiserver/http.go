package apiserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
	"github.com/raykube/raykube/internal/apiserver/openapi"
)

// maxResponseBytes bounds an answer of the gRPC server to the gateway (a long list).
const maxResponseBytes = 256 << 20

// newGateway returns the HTTP+JSON gateway, connected to the gRPC server in process.
func (s *Server) newGateway() (*runtime.ServeMux, *grpc.ClientConn, error) {
	conn, err := grpc.NewClient("passthrough:///in-process",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return s.inProcess.DialContext(ctx)
		}),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResponseBytes)),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting the gateway to the gRPC server: %w", err)
	}
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, marshaler),
		runtime.WithErrorHandler(func(_ context.Context, _ *runtime.ServeMux,
			m runtime.Marshaler, w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, m, err)
		}),
		runtime.WithRoutingErrorHandler(routingError),
		// A call is what its method and path say: no POST served as a GET because its body is
		// a form, and no method taken from an X-HTTP-Method-Override header.
		runtime.WithDisablePathLengthFallback(),
		runtime.WithDisableHTTPMethodOverride(),
		runtime.SetQueryParameterParser(queryParser{}),
		// The gRPC response headers are the gateway's business, not the client's.
		runtime.WithOutgoingHeaderMatcher(func(string) (string, bool) { return "", false }),
	)
	ctx := context.Background()
	if err := apiv1.RegisterClusterServiceHandler(ctx, mux, conn); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("registering the cluster gateway: %w", err),
			conn.Close())
	}
	if err := apiv1.RegisterComputeTemplateServiceHandler(ctx, mux, conn); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("registering the template gateway: %w", err),
			conn.Close())
	}
	return mux, conn, nil
}

// routingError answers a request no API path matches: 404, or 405 when the path exists with
// other methods.
func routingError(_ context.Context, _ *runtime.ServeMux, m runtime.Marshaler,
	w http.ResponseWriter, r *http.Request, httpStatus int) {
	switch httpStatus {
	case http.StatusMethodNotAllowed:
		writeError(w, m, &runtime.HTTPStatusError{HTTPStatus: httpStatus,
			Err: status.Errorf(codes.Unimplemented, "method %s is not allowed on %s",
				convert.Shorten(r.Method), convert.Shorten(r.URL.Path))})
	case http.StatusNotFound:
		writeError(w, m, noSuchPath(r))
	default:
		writeError(w, m, &runtime.HTTPStatusError{HTTPStatus: httpStatus,
			Err: status.Error(codes.InvalidArgument, http.StatusText(httpStatus))})
	}
}

// newHTTPHandler routes the API to the gateway and serves the operational endpoints.
func (s *Server) newHTTPHandler(gateway http.Handler) http.Handler {
	mux := http.NewServeMux()
	api := s.limitBody(s.limitTime(gateway))
	mux.Handle("/apis/", s.metrics.InstrumentHTTP("api", api))
	mux.Handle("GET /healthz", s.metrics.InstrumentHTTP("healthz", http.HandlerFunc(
		func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })))
	mux.Handle("GET /metrics", s.metrics.InstrumentHTTP("metrics", s.metrics.Handler()))
	for _, path := range []string{"GET /openapi.json", "GET /swagger.json"} {
		mux.Handle(path, s.metrics.InstrumentHTTP("openapi", openapi.DocumentHandler()))
	}
	mux.Handle("GET /docs", s.metrics.InstrumentHTTP("docs", openapi.UIHandler()))
	mux.Handle("GET /{$}", http.RedirectHandler("/docs", http.StatusFound))
	mux.Handle("/", s.metrics.InstrumentHTTP("other", http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { writeError(w, marshaler, noSuchPath(r)) })))
	return mux
}

// noSuchPath is the NotFound error of a path that names nothing the server serves.
func noSuchPath(r *http.Request) error {
	return status.Errorf(codes.NotFound, "no such path: %s", convert.Shorten(r.URL.Path))
}

// formMediaTypes are the media types a web page may send to any address without the browser
// asking the server first (a CORS "simple request"). A JSON body labelled as one of them is
// refused, so that no page a user visits can create clusters on an API server that runs
// without authentication on the user's machine.
var formMediaTypes = map[string]bool{
	"application/x-www-form-urlencoded": true,
	"multipart/form-data":               true,
	"text/plain":                        true,
}

// limitBody answers 413 to a request whose body is larger than MaxRequestBytes, and 415 to a
// body labelled as a form or as text (formMediaTypes). It reads the body in full before the
// gateway sees it, so that the limit holds whether or not the client declared a length.
func (s *Server) limitBody(next http.Handler) http.Handler {
	limit := s.opts.MaxRequestBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeTooLarge(w, limit)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			writeError(w, marshaler, status.Errorf(codes.InvalidArgument,
				"reading the request body: %v", err))
			return
		}
		if int64(len(body)) > limit {
			writeTooLarge(w, limit)
			return
		}
		if len(body) > 0 {
			if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); formMediaTypes[media] {
				writeError(w, marshaler, &runtime.HTTPStatusError{
					HTTPStatus: http.StatusUnsupportedMediaType,
					Err: status.Errorf(codes.InvalidArgument, "Content-Type %s is not accepted: "+
						"send the body as JSON with Content-Type: application/json", media),
				})
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func writeTooLarge(w http.ResponseWriter, limit int64) {
	writeError(w, marshaler, &runtime.HTTPStatusError{
		HTTPStatus: http.StatusRequestEntityTooLarge,
		Err: status.Errorf(codes.ResourceExhausted, "the request body is larger than %d bytes",
			limit),
	})
}

// limitTime bounds the handling of an HTTP request by RequestTimeout; the deadline travels with
// the call to the gRPC server and from there to the Kubernetes API.
func (s *Server) limitTime(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeError writes an error as {"code": <gRPC code>, "message": ..., "details": [...]} with
// the HTTP status of the code (or of a runtime.HTTPStatusError); an Unauthenticated answer asks
// for a bearer token.
func writeError(w http.ResponseWriter, m runtime.Marshaler, err error) {
	httpStatus := 0
	var custom *runtime.HTTPStatusError
	if errors.As(err, &custom) {
		httpStatus, err = custom.HTTPStatus, custom.Err
	}
	st := status.Convert(err)
	if httpStatus == 0 {
		httpStatus = runtime.HTTPStatusFromCode(st.Code())
	}
	body, merr := m.Marshal(st.Proto())
	if merr != nil {
		httpStatus = http.StatusInternalServerError
		body = []byte(`{"code": 13, "message": "cannot encode the error", "details": []}`)
	}
	w.Header().Set("Content-Type", "application/json")
	if st.Code() == codes.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="raykube-apiserver"`)
	}
	w.WriteHeader(httpStatus)
	_, _ = w.Write(body)
}
