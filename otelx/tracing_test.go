package otelx_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// newTracing returns a Tracing recording into an in-memory exporter, with
// W3C trace context propagation.
func newTracing(t *testing.T, sampler sdktrace.Sampler) (*otelx.Tracing, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sampler))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return otelx.NewTracing(otelx.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}}), exp
}

// tracedStack assembles the stack as the package documents it.
func tracedStack(t *testing.T, tr *otelx.Tracing, cfg transport.Config) http.RoundTripper {
	t.Helper()
	cfg.Hooks = tr.Hooks()
	cfg.Attempt = []transport.Middleware{tr.Attempt}
	stack, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Transport(stack)
}

// headerLog records the traceparent header of every request that reaches
// the base.
type headerLog struct {
	mu   sync.Mutex
	seen []string
}

func (h *headerLog) wrap(base http.RoundTripper) http.RoundTripper {
	return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		h.mu.Lock()
		h.seen = append(h.seen, req.Header.Get("traceparent"))
		h.mu.Unlock()
		return base.RoundTrip(req)
	})
}

// attrs returns a span's attributes as key=value strings, sorted by key.
func attrMap(s tracetest.SpanStub) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes {
		m[string(kv.Key)] = kvString(kv)
	}
	return m
}

// wantAttrs fails t unless s has every attribute of want (key=value, or
// key=ABSENT for one that must not be there).
func wantAttrs(t *testing.T, what string, s tracetest.SpanStub, want map[string]string) {
	t.Helper()
	got := attrMap(s)
	for k, v := range want {
		g, ok := got[k]
		switch {
		case v == "ABSENT" && ok:
			t.Errorf("%s: attribute %s = %q, want it absent", what, k, g)
		case v != "ABSENT" && g != k+"="+v:
			t.Errorf("%s: attribute %s: got %q, want %q", what, k, g, k+"="+v)
		}
	}
}

// Issue 20: one span per attempt, children of the call span, with the
// HTTP client conventions' attributes and http.request.resend_count on
// resends; retries as events of the call span; each attempt's own trace
// context sent to the server; the caller's request left alone.
func TestSpanPerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.AlwaysSample())
		var log headerLog
		rt := tracedStack(t, tr, transport.Config{
			Base:  log.wrap(scripted(reply{status: 503}, reply{status: 502}, reply{status: 200})),
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
		})
		req, _ := http.NewRequest(http.MethodGet, "http://user:secret@backend.test:8080/items?id=7&sig=abc&Signature=def", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("call = %v, %v; want 200", resp, err)
		}
		_ = resp.Body.Close()
		if resp.Request != req {
			t.Error("resp.Request is not the caller's request")
		}
		if len(req.Header) != 0 {
			t.Errorf("the caller's request headers were modified: %v", req.Header)
		}

		spans := exp.GetSpans() // in the order they ended: attempts, then the call
		if len(spans) != 4 {
			t.Fatalf("exported %d spans, want 3 attempts and the call", len(spans))
		}
		call := spans[3]
		if call.Name != "call GET" || call.SpanKind != trace.SpanKindInternal || call.Parent.IsValid() {
			t.Errorf("call span: %q kind %v parent %v, want \"call GET\", internal, a root", call.Name, call.SpanKind, call.Parent)
		}
		common := map[string]string{
			"http.request.method": "GET", "server.address": "backend.test", "server.port": "8080",
			"url.full": "http://backend.test:8080/items?id=7&sig=REDACTED&Signature=REDACTED",
		}
		wantAttrs(t, "call", call, common)
		wantAttrs(t, "call", call, map[string]string{"http.response.status_code": "200", "error.type": "ABSENT",
			"resilient.attempts": "3", "resilient.outcome": "success"})
		if got := events(call); len(got) != 2 || got[0].Name != otelx.EventRetry || got[1].Name != otelx.EventRetry {
			t.Errorf("call span events = %v, want two %s", got, otelx.EventRetry)
		}
		for i, want := range []struct{ status, errType, resend string }{
			{"503", "503", "ABSENT"}, {"502", "502", "1"}, {"200", "ABSENT", "2"},
		} {
			a := spans[i]
			what := "attempt " + string(rune('1'+i))
			if a.Name != "GET" || a.SpanKind != trace.SpanKindClient {
				t.Errorf("%s: %q kind %v, want \"GET\", client", what, a.Name, a.SpanKind)
			}
			if a.Parent.SpanID() != call.SpanContext.SpanID() || a.SpanContext.TraceID() != call.SpanContext.TraceID() {
				t.Errorf("%s: parent %v, want the call span %v", what, a.Parent.SpanID(), call.SpanContext.SpanID())
			}
			wantAttrs(t, what, a, common)
			wantAttrs(t, what, a, map[string]string{"http.response.status_code": want.status,
				"error.type": want.errType, "http.request.resend_count": want.resend})
			if wantErr := want.errType != "ABSENT"; (a.Status.Code == codes.Error) != wantErr {
				t.Errorf("%s: status %v, want Error %v", what, a.Status, wantErr)
			}
			tp := "00-" + a.SpanContext.TraceID().String() + "-" + a.SpanContext.SpanID().String() + "-01"
			if log.seen[i] != tp {
				t.Errorf("%s sent traceparent %q, want its own span's %q", what, log.seen[i], tp)
			}
		}
	})
}

// A call that the open breaker refuses sends nothing: its call span has
// the rejection event, error.type and an Error status, and no attempt
// span.
func TestRefusedCallSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.AlwaysSample())
		rt := tracedStack(t, tr, transport.Config{
			Base:    scripted(reply{status: 500}),
			Retry:   transport.RetryConfig{Off: true},
			Breaker: transport.BreakerConfig{FailFast: true, ConsecutiveFailures: 1, BreakDuration: time.Minute},
		})
		if status, err := get(rt, url); status != 500 || err != nil {
			t.Fatalf("first call = %d, %v; want 500", status, err)
		}
		if _, err := get(rt, url); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("second call: %v, want breaker.ErrOpen", err)
		}
		spans := exp.GetSpans()
		if len(spans) != 3 {
			t.Fatalf("exported %d spans, want the first call's attempt and call, and the refused call", len(spans))
		}
		refused := spans[2]
		if refused.Name != "call GET" {
			t.Fatalf("last span %q, want the refused call's", refused.Name)
		}
		wantAttrs(t, "refused call", refused, map[string]string{"error.type": "breaker_open",
			"http.response.status_code": "ABSENT", "resilient.attempts": "0"})
		if refused.Status.Code != codes.Error {
			t.Errorf("refused call status %v, want Error", refused.Status)
		}
		assertEvents(t, refused, []event{
			{otelx.EventRejected, []string{"resilient.stage=breaker", "error.type=breaker_open"}},
		})
		wantAttrs(t, "first call", spans[1], map[string]string{"error.type": "500", "http.response.status_code": "500"})
	})
}

// A call the sampler drops records nothing and sends no trace context of
// an attempt span; the call is served as usual.
func TestTracingNotSampled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.NeverSample())
		var log headerLog
		rt := tracedStack(t, tr, transport.Config{
			Base:  log.wrap(scripted(reply{status: 503}, reply{status: 200})),
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
		})
		if status, err := get(rt, url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200", status, err)
		}
		if n := len(exp.GetSpans()); n != 0 {
			t.Errorf("exported %d spans, want 0", n)
		}
		if !reflect.DeepEqual(log.seen, []string{"", ""}) {
			t.Errorf("traceparent headers sent: %q, want none", log.seen)
		}
	})
}

// get sends a GET through rt with no span of the caller's.
func get(rt http.RoundTripper, url string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// closeCounter counts CloseIdleConnections calls.
type closeCounter struct {
	http.RoundTripper
	closed int
}

func (c *closeCounter) CloseIdleConnections() { c.closed++ }

// Wrapping the stack must not hide its pool from
// http.Client.CloseIdleConnections.
func TestTransportPassesCloseIdleConnections(t *testing.T) {
	tr, _ := newTracing(t, sdktrace.AlwaysSample())
	inner := &closeCounter{RoundTripper: scripted(reply{status: 200})}
	(&http.Client{Transport: tr.Transport(inner)}).CloseIdleConnections()
	if inner.closed != 1 {
		t.Errorf("CloseIdleConnections reached the wrapped transport %d times, want 1", inner.closed)
	}
}

// An attempt that failed without a response has error.type (the error's
// kind, never its message) and no status code.
func TestAttemptSpanErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.AlwaysSample())
		n := 0
		base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if n++; n == 1 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
		})
		rt := tracedStack(t, tr, transport.Config{
			Base:  base,
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
		})
		if status, err := get(rt, url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200 on the second attempt", status, err)
		}
		spans := exp.GetSpans()
		if len(spans) != 3 {
			t.Fatalf("exported %d spans, want 2 attempts and the call", len(spans))
		}
		wantAttrs(t, "refused connection", spans[0], map[string]string{"error.type": "*net.OpError", "http.response.status_code": "ABSENT"})
		if spans[0].Status.Code != codes.Error {
			t.Errorf("refused connection: status %v, want Error", spans[0].Status)
		}
		wantAttrs(t, "second attempt", spans[1], map[string]string{"error.type": "ABSENT", "http.response.status_code": "200", "http.request.resend_count": "1"})
	})
}

// An attempt that a stage above it canceled with a cause (here a
// middleware standing in for a stage timeout) is typed by the cause, not
// as the caller's cancel.
func TestAttemptSpanCanceledWithCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.AlwaysSample())
		var n int
		timeout := func(next http.RoundTripper) http.RoundTripper {
			return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
				ctx, cancel := context.WithCancelCause(req.Context())
				defer cancel(nil)
				if n++; n == 1 {
					cancel(context.DeadlineExceeded)
				}
				return next.RoundTrip(req.WithContext(ctx))
			})
		}
		base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if err := req.Context().Err(); err != nil {
				return nil, err // context.Canceled: what a canceled dial returns
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
		})
		stack, err := transport.New(transport.Config{
			Base:    base,
			Retry:   transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
			Hooks:   tr.Hooks(),
			Attempt: []transport.Middleware{timeout, tr.Attempt},
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := get(tr.Transport(stack), url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200 on the second attempt", status, err)
		}
		spans := exp.GetSpans()
		if len(spans) != 3 {
			t.Fatalf("exported %d spans, want 2 attempts and the call", len(spans))
		}
		wantAttrs(t, "canceled attempt", spans[0], map[string]string{"error.type": "timeout"})
	})
}

// A hedge is a request sent: it gets its own attempt span under the call
// span, with a resend count, and the loser's span ends too.
func TestHedgeAttemptSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.AlwaysSample())
		var n int32
		var mu sync.Mutex
		base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			n++
			first := n == 1
			mu.Unlock()
			if first { // slow: the hedge overtakes it
				select {
				case <-time.After(time.Second):
				case <-req.Context().Done():
					return nil, req.Context().Err()
				}
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
		})
		rt := tracedStack(t, tr, transport.Config{
			Base:  base,
			Hedge: &transport.HedgeConfig{Delay: 50 * time.Millisecond},
		})
		if status, err := get(rt, url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200", status, err)
		}
		synctest.Wait() // the loser ends
		spans := exp.GetSpans()
		var attempts []tracetest.SpanStub
		var call tracetest.SpanStub
		for _, s := range spans {
			if s.SpanKind == trace.SpanKindClient {
				attempts = append(attempts, s)
			} else {
				call = s
			}
		}
		if len(attempts) != 2 || call.Name != "call GET" {
			t.Fatalf("spans: %d attempts and %q, want 2 attempts and the call", len(attempts), call.Name)
		}
		resends := map[string]bool{}
		for _, a := range attempts {
			parentOfCall := a.Parent.SpanID() == call.SpanContext.SpanID()
			if !parentOfCall {
				t.Errorf("attempt %v: parent %v, want the call span", a.SpanContext.SpanID(), a.Parent.SpanID())
			}
			resends[attrMap(a)["http.request.resend_count"]] = true
		}
		if !resends[""] || !resends["http.request.resend_count=1"] {
			t.Errorf("resend counts %v, want the first attempt without and the hedge with 1", resends)
		}
	})
}
