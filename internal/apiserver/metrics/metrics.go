// Package metrics holds the API server's Prometheus metrics: per RPC method the requests by
// gRPC code and their latency, per HTTP handler the requests by status code and their latency,
// and Go runtime and process metrics. Each Metrics has its own registry, so that several servers
// can run in one process.
package metrics

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// namespace prefixes every metric of the API server.
const namespace = "raykube_apiserver"

// Metrics records the API server's requests.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
}

// New returns the metrics, registered with a new registry together with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "requests_total",
			Help: "API calls handled, by RPC service, method and gRPC status code; calls over " +
				"HTTP are counted here too.",
		}, []string{"service", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "request_duration_seconds",
			Help:    "Time to handle an API call, by RPC service and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"service", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "requests_in_flight",
			Help: "API calls being handled.",
		}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests, by handler (api, metrics, openapi, docs, healthz, other) and " +
				"HTTP status code.",
		}, []string{"handler", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by handler.",
			Buckets: prometheus.DefBuckets,
		}, []string{"handler"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.httpRequests, m.httpDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the metrics are registered; more can be added to it.
func (m *Metrics) Registry() *prometheus.Registry {
	return m.registry
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// UnaryInterceptor counts and times every gRPC call, including those the HTTP gateway makes.
func (m *Metrics) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo,
		handler grpc.UnaryHandler) (any, error) {
		service, method := splitMethod(info.FullMethod)
		m.inFlight.Inc()
		start := time.Now()
		resp, err := handler(ctx, req)
		m.inFlight.Dec()
		m.duration.WithLabelValues(service, method).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(service, method, status.Code(err).String()).Inc()
		return resp, err
	}
}

// splitMethod splits /package.Service/Method into the service's short name and the method.
func splitMethod(full string) (service, method string) {
	service, method = path.Split(full)
	service = path.Base(service)
	if i := strings.LastIndexByte(service, '.'); i >= 0 {
		service = service[i+1:]
	}
	return service, method
}

// InstrumentHTTP counts and times the requests of an HTTP handler under a fixed handler label.
func (m *Metrics) InstrumentHTTP(label string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		m.httpDuration.WithLabelValues(label).Observe(time.Since(start).Seconds())
		m.httpRequests.WithLabelValues(label, strconv.Itoa(rec.status)).Inc()
	})
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer (flushing, deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter {
	return r.ResponseWriter
}
