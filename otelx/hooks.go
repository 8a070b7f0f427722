package otelx

import (
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/transport"
)

// Hooks returns transport.Hooks that annotate the span carried by each
// request's context (see the package documentation for where that span
// comes from):
//
//   - OnRetry adds an EventRetry (attempt, delay, reason, and the failed
//     attempt's status or error);
//   - OnBudgetExhausted adds an EventBudgetExhausted;
//   - OnRejected adds an EventRejected (stage and error);
//   - OnRetry and OnCallEnd add an EventPushback before it for each
//     attempt answered with Retry-After;
//   - OnCallEnd sets KeyHost, KeyAttempts and KeyOutcome on the span, and
//     its status when Config.SetStatus is set.
//
// A span that is not recording is left alone at the cost of a context
// lookup. Combine the result with other observers with transport.JoinHooks.
func Hooks(cfg Config) transport.Hooks {
	o := &observer{hostKey: cfg.HostKey, setStatus: cfg.SetStatus}
	return o.hooks()
}

func (o *observer) hooks() transport.Hooks {
	return transport.Hooks{
		OnCallEnd:         o.callEnd,
		OnRetry:           o.retry,
		OnBudgetExhausted: o.budgetExhausted,
		OnRejected:        o.rejected,
	}
}

type observer struct {
	hostKey   func(*http.Request) string
	setStatus bool
}

// recordingSpan returns the span of req's context when it records, nil
// otherwise: the parent's sampling decision is the only one that counts.
func recordingSpan(req *http.Request) trace.Span {
	if req == nil {
		return nil
	}
	span := trace.SpanFromContext(req.Context())
	if !span.IsRecording() {
		return nil
	}
	return span
}

func (o *observer) retry(e transport.RetryEvent) {
	span := recordingSpan(e.Request)
	if span == nil {
		return
	}
	if e.Verdict.RetryAfter > 0 {
		pushback(span, e.Attempt, e.StatusCode, e.Verdict.RetryAfter)
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs,
		KeyAttempt.Int(e.Attempt),
		KeyDelay.Float64(e.Delay.Seconds()),
		KeyReason.String(e.Verdict.Reason.String()))
	attrs = appendResult(attrs, e.StatusCode, e.Err)
	span.AddEvent(EventRetry, trace.WithAttributes(attrs...))
}

func (o *observer) budgetExhausted(e transport.RetryEvent) {
	span := recordingSpan(e.Request)
	if span == nil {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 4)
	attrs = append(attrs, KeyAttempt.Int(e.Attempt), KeyReason.String(e.Verdict.Reason.String()))
	attrs = appendResult(attrs, e.StatusCode, e.Err)
	span.AddEvent(EventBudgetExhausted, trace.WithAttributes(attrs...))
}

func (o *observer) rejected(r transport.Rejection) {
	span := recordingSpan(r.Request)
	if span == nil {
		return
	}
	attrs := []attribute.KeyValue{KeyStage.String(r.Stage)}
	attrs = appendResult(attrs, 0, r.Err)
	span.AddEvent(EventRejected, trace.WithAttributes(attrs...))
}

func (o *observer) callEnd(e transport.CallEnd) {
	span := recordingSpan(e.Request)
	if span == nil {
		return
	}
	// The last attempt's pushback: earlier ones came with their retry.
	if e.Verdict.RetryAfter > 0 {
		pushback(span, e.Attempts, e.StatusCode, e.Verdict.RetryAfter)
	}
	span.SetAttributes(
		KeyHost.String(o.host(e.Request)),
		KeyAttempts.Int(e.Attempts),
		KeyOutcome.String(e.Verdict.Outcome.String()),
		KeyCallOutcome.String(callOutcomes[callOutcome(e)]))
	if !o.setStatus {
		return
	}
	switch {
	case e.Err != nil:
		span.SetStatus(codes.Error, e.Err.Error())
	case e.Verdict.Outcome == transport.Failure:
		span.SetStatus(codes.Error, "HTTP "+strconv.Itoa(e.StatusCode))
	}
}

func (o *observer) host(req *http.Request) string {
	if o.hostKey != nil {
		return o.hostKey(req)
	}
	return req.URL.Host
}

// pushback records that the server asked for a pause.
func pushback(span trace.Span, attempt, status int, after time.Duration) {
	attrs := make([]attribute.KeyValue, 0, 3)
	attrs = append(attrs, KeyAttempt.Int(attempt), KeyRetryAfter.Float64(after.Seconds()))
	if status != 0 {
		attrs = append(attrs, KeyStatusCode.Int(status))
	}
	span.AddEvent(EventPushback, trace.WithAttributes(attrs...))
}

// appendResult adds a failed attempt's status, or its error.
func appendResult(attrs []attribute.KeyValue, status int, err error) []attribute.KeyValue {
	if status != 0 {
		attrs = append(attrs, KeyStatusCode.Int(status))
	}
	if err != nil {
		attrs = append(attrs, KeyErrorType.String(errorType(err)))
	}
	return attrs
}
