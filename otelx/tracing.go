package otelx

import (
	"context"
	"net/http"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/transport"
)

// ScopeName is the instrumentation scope of the tracer and the meter that
// this package takes from the providers.
const ScopeName = "github.com/resilient-go/resilient/otelx"

// Tracing traces the assembled stack the way the OpenTelemetry semantic
// conventions for HTTP clients ask: one span for the caller's logical call
// (kind Internal, started by Transport), and below it one client span per
// HTTP request sent (started by Attempt: retries and hedges each get
// theirs, with http.request.resend_count from the second on), each
// carrying http.request.method, server.address, server.port, url.full,
// http.response.status_code and, when it failed, error.type. Retries,
// refusals by our own stages (breaker, limit, queue) and server pushback
// are events on the call span (Hooks). The trace context propagated to the
// server is the attempt's, so the server's spans join the attempt that
// reached them.
//
// Wire its three parts into one stack:
//
//	tr := otelx.NewTracing(otelx.Config{})
//	stack, err := transport.New(transport.Config{
//		Hooks:   tr.Hooks(),                          // events on the call span
//		Attempt: []transport.Middleware{tr.Attempt},  // a span per attempt
//	})
//	client := &http.Client{Transport: tr.Transport(stack)} // the call span
//
// A Tracing is safe for concurrent use and holds no goroutine. Spans follow
// the sampler: an attempt whose call span is not sampled starts no span.
type Tracing struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	observer
}

// NewTracing returns a Tracing for cfg. Nil providers mean the global ones
// (otel.GetTracerProvider, otel.GetTextMapPropagator): a program that sets
// them after building its clients is traced all the same, since the
// global tracer provider delegates to the one set later, and the global
// propagator is read at each attempt.
func NewTracing(cfg Config) *Tracing {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return &Tracing{
		// Once: an SDK provider's Tracer takes a lock and a map lookup.
		tracer:     tp.Tracer(ScopeName),
		propagator: cfg.Propagator,
		observer:   observer{hostKey: cfg.HostKey, setStatus: cfg.SetStatus},
	}
}

func (t *Tracing) inject(ctx context.Context, h http.Header) {
	p := t.propagator
	if p == nil {
		p = otel.GetTextMapPropagator()
	}
	p.Inject(ctx, propagation.HeaderCarrier(h))
}

// Hooks returns the hooks that add events and attributes to the call
// span: see the package function Hooks, which this one equals.
func (t *Tracing) Hooks() transport.Hooks {
	return t.observer.hooks()
}

// callState is what Transport keeps about one call for Attempt: the
// number of attempts started so far.
type callState struct {
	attempts atomic.Int32
}

type callStateKey struct{}

// Transport wraps the assembled stack (or any RoundTripper) so that each
// call gets a span of its own, kind Internal, named "call" and the method,
// a child of the request context's span: the parent of its attempts'
// spans and the span that Hooks annotates. It carries the HTTP attributes
// of the request, and when the call ends its final status code, or
// error.type and an Error status when it failed for its caller (an error,
// or a 4xx or 5xx status, as for a client span).
func (t *Tracing) Transport(next http.RoundTripper) http.RoundTripper {
	return &callTransport{t: t, next: next}
}

// callTransport is what Transport returns: a RoundTripper that also
// passes CloseIdleConnections on, so that http.Client.CloseIdleConnections
// still reaches the stack's pool.
type callTransport struct {
	t    *Tracing
	next http.RoundTripper
}

func (c *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if unsampled(req.Context()) {
		return c.next.RoundTrip(req)
	}
	ctx, span := c.t.tracer.Start(req.Context(), "call "+req.Method,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(requestAttrs(req)...))
	defer span.End()
	ctx = context.WithValue(ctx, callStateKey{}, &callState{})
	resp, err := c.next.RoundTrip(req.WithContext(ctx))
	if resp != nil && resp.Request != nil {
		resp.Request = req
	}
	endSpan(span, resp, err)
	return resp, err
}

// CloseIdleConnections closes the idle connections of the wrapped
// RoundTripper, when it has the method.
func (c *callTransport) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
