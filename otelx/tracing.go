package otelx

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
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

// Attempt is a transport.Middleware for transport.Config.Attempt: each
// attempt that the stack sends gets a client span, named after the
// method, a child of the call span (Transport's, or whatever span the
// request's context carries), with http.request.resend_count from the
// second attempt on (counted per call by Transport; without it the count
// is left out). The attempt's request is a clone carrying the attempt
// span's trace context in its headers (Config.Propagator). The span ends
// with the response headers or the error.
func (t *Tracing) Attempt(next http.RoundTripper) http.RoundTripper {
	return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if unsampled(req.Context()) {
			// Nothing to start or inject beyond what the caller's
			// context already carries.
			return next.RoundTrip(req)
		}
		attrs := requestAttrs(req)
		if cs, ok := req.Context().Value(callStateKey{}).(*callState); ok {
			if n := cs.attempts.Add(1); n > 1 {
				attrs = append(attrs, KeyResendCount.Int(int(n-1)))
			}
		}
		ctx, span := t.tracer.Start(req.Context(), req.Method,
			trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		defer span.End()
		r := req.Clone(ctx) // never modify the caller's request or headers
		t.inject(ctx, r.Header)
		resp, err := next.RoundTrip(r)
		if resp != nil && resp.Request == r {
			resp.Request = req
		}
		if err != nil && errors.Is(err, context.Canceled) {
			// Name what ended the attempt, when the stage that canceled
			// it said (context.WithCancelCause): a stage's timeout is not
			// the caller's cancel.
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				endSpan(span, nil, cause)
				return resp, err
			}
		}
		endSpan(span, resp, err)
		return resp, err
	})
}

// unsampled reports whether ctx carries a span that the sampler dropped:
// the parent-based samplers (the SDK's default) drop its children too, so
// they are not started at all, which spares their attributes.
func unsampled(ctx context.Context) bool {
	sc := trace.SpanContextFromContext(ctx)
	return sc.IsValid() && !sc.IsSampled()
}

// requestAttrs returns the semantic conventions' attributes of an HTTP
// client request.
func requestAttrs(req *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, KeyMethod.String(req.Method))
	if u := req.URL; u != nil {
		attrs = append(attrs, KeyServerAddress.String(u.Hostname()))
		if port := serverPort(u.Scheme, u.Port()); port != 0 {
			attrs = append(attrs, KeyServerPort.Int(port))
		}
		full := *u
		// The conventions ask for credentials, and the values of the
		// query keys that carry signatures, to be redacted.
		full.User = nil
		full.RawQuery = redactQuery(full.RawQuery)
		attrs = append(attrs, KeyURLFull.String(full.String()))
	}
	return attrs
}

// signatureKeys are the query keys whose values the semantic conventions
// ask url.full to redact: they sign the URL, and would let a reader of
// the trace replay the request.
var signatureKeys = []string{"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"}

// redactQuery replaces the values of signatureKeys in a raw query with
// "REDACTED", leaving the rest (and the order) as it was.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	found := false
	for _, k := range signatureKeys {
		if strings.Contains(raw, k+"=") {
			found = true
		}
	}
	if !found {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		key, _, ok := strings.Cut(p, "=")
		if ok && slices.Contains(signatureKeys, key) {
			parts[i] = key + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}

// serverPort returns the port of a URL, explicit or the scheme's default.
func serverPort(scheme, port string) int {
	if p, err := strconv.Atoi(port); err == nil {
		return p
	}
	switch scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// endSpan records a result on a client (or call) span: the status code,
// and error.type with an Error status for an error or a 4xx/5xx.
func endSpan(span trace.Span, resp *http.Response, err error) {
	if !span.IsRecording() {
		return
	}
	switch {
	case err != nil:
		span.SetAttributes(KeyErrorType.String(errorType(err)))
		span.SetStatus(codes.Error, err.Error())
	case resp != nil:
		span.SetAttributes(KeyStatusCode.Int(resp.StatusCode))
		if resp.StatusCode >= 400 {
			span.SetAttributes(KeyErrorType.String(strconv.Itoa(resp.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
	}
}
