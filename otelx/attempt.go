package otelx

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/transport"
)

// Attempt is a transport.Middleware for transport.Config.Attempt: each
// attempt that the stack sends gets a client span, named after the
// method, a child of the call span (Transport's, or whatever span the
// request's context carries), with http.request.resend_count from the
// second attempt on (the stack's own count, transport.AttemptNumber, when
// its Hooks are set; else Transport's; without either the count is left
// out). The attempt's request is a clone carrying the attempt
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
		// The stack numbers its attempts when it is observed (its
		// Hooks set, as Tracing.Hooks does); Transport's count stands in
		// where it is not.
		n := transport.AttemptNumber(req.Context())
		if n == 0 {
			if cs, ok := req.Context().Value(callStateKey{}).(*callState); ok {
				n = int(cs.attempts.Add(1))
			}
		}
		if n > 1 {
			attrs = append(attrs, KeyResendCount.Int(n-1))
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
