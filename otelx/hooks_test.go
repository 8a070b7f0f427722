package otelx_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

const url = "http://backend.test/items"

func assertEvents(t *testing.T, s tracetest.SpanStub, want []event) {
	t.Helper()
	if got := events(s); !reflect.DeepEqual(got, want) {
		t.Errorf("span events:\n got %v\nwant %v", got, want)
	}
}

func assertSpanAttrs(t *testing.T, s tracetest.SpanStub, host, attempts, outcome string) {
	t.Helper()
	for key, want := range map[attribute.Key]string{
		otelx.KeyHost: host, otelx.KeyAttempts: attempts, otelx.KeyOutcome: outcome,
	} {
		if got := spanAttr(s, key); got != want {
			t.Errorf("span attribute %s = %q, want %q", key, got, want)
		}
	}
}

func TestRetryEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracer, exp := newTracer(t, sdktrace.AlwaysSample())
		rt, err := transport.New(transport.Config{
			Base:  scripted(reply{status: 503}, reply{status: 502}, reply{status: 200}),
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
			Hooks: otelx.Hooks(otelx.Config{}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := call(tracer, rt, url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200", status, err)
		}
		s := onlySpan(t, exp)
		assertEvents(t, s, []event{
			{otelx.EventRetry, []string{"resilient.attempt=1", "resilient.retry.delay=0.01", "resilient.reason=server_error", "http.response.status_code=503"}},
			{otelx.EventRetry, []string{"resilient.attempt=2", "resilient.retry.delay=0.02", "resilient.reason=server_error", "http.response.status_code=502"}},
		})
		assertSpanAttrs(t, s, "backend.test", "3", "success")
		if s.Status.Code != codes.Unset {
			t.Errorf("status = %v, want Unset (left to the span's owner)", s.Status)
		}
	})
}

func TestPushbackThenRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracer, exp := newTracer(t, sdktrace.AlwaysSample())
		rt, err := transport.New(transport.Config{
			Base:  scripted(reply{status: 429, retryAfter: "2"}, reply{status: 200}),
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
			Hooks: otelx.Hooks(otelx.Config{}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := call(tracer, rt, url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200", status, err)
		}
		s := onlySpan(t, exp)
		assertEvents(t, s, []event{
			{otelx.EventPushback, []string{"resilient.attempt=1", "resilient.retry_after=2", "http.response.status_code=429"}},
			{otelx.EventRetry, []string{"resilient.attempt=1", "resilient.retry.delay=2", "resilient.reason=throttled", "http.response.status_code=429"}},
		})
		assertSpanAttrs(t, s, "backend.test", "2", "success")
	})
}

// The last attempt's pushback is reported at the call's end; the pause it
// starts then refuses the next call in the limit stage.
func TestFinalPushbackThenLimitRejection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracer, exp := newTracer(t, sdktrace.AlwaysSample())
		rt, err := transport.New(transport.Config{
			Base:  scripted(reply{status: 503, retryAfter: "60"}),
			Retry: transport.RetryConfig{Off: true},
			Limit: transport.LimitConfig{FailFast: true}, // refuse during the pause, not wait for its probe
			Hooks: otelx.Hooks(otelx.Config{SetStatus: true}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := call(tracer, rt, url); status != 503 || err != nil {
			t.Fatalf("first call = %d, %v; want 503", status, err)
		}
		if _, err := call(tracer, rt, url); !errors.Is(err, limiter.ErrLimited) {
			t.Fatalf("second call: err = %v, want limiter.ErrLimited", err)
		}
		spans := exp.GetSpans()
		if len(spans) != 2 {
			t.Fatalf("exported %d spans, want 2", len(spans))
		}
		assertEvents(t, spans[0], []event{
			{otelx.EventPushback, []string{"resilient.attempt=1", "resilient.retry_after=60", "http.response.status_code=503"}},
		})
		assertSpanAttrs(t, spans[0], "backend.test", "1", "failure")
		if spans[0].Status.Code != codes.Error || spans[0].Status.Description != "HTTP 503" {
			t.Errorf("first span status = %+v, want Error \"HTTP 503\"", spans[0].Status)
		}

		got := events(spans[1])
		if len(got) != 1 || got[0].Name != otelx.EventRejected || got[0].Attrs[0] != "resilient.stage=limit" ||
			got[0].Attrs[1] != "error.type=limited" {
			t.Fatalf("second span events = %v, want one %s with stage=limit and error.type=limited", got, otelx.EventRejected)
		}
		assertSpanAttrs(t, spans[1], "backend.test", "0", "ignored")
		if spans[1].Status.Code != codes.Error {
			t.Errorf("second span status = %+v, want Error", spans[1].Status)
		}
	})
}

func TestBreakerRejection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracer, exp := newTracer(t, sdktrace.AlwaysSample())
		rt, err := transport.New(transport.Config{
			Base:  scripted(reply{status: 500}),
			Retry: transport.RetryConfig{Off: true},
			Breaker: transport.BreakerConfig{
				ConsecutiveFailures: 1, BreakDuration: time.Minute,
			},
			Hooks: otelx.Hooks(otelx.Config{}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := call(tracer, rt, url); status != 500 || err != nil {
			t.Fatalf("first call = %d, %v; want 500", status, err)
		}
		_, err = call(tracer, rt, url)
		if !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("second call: err = %v, want breaker.ErrOpen", err)
		}
		spans := exp.GetSpans()
		if len(spans) != 2 {
			t.Fatalf("exported %d spans, want 2", len(spans))
		}
		assertEvents(t, spans[0], nil)
		assertEvents(t, spans[1], []event{
			{otelx.EventRejected, []string{"resilient.stage=breaker", "error.type=breaker_open"}},
		})
		assertSpanAttrs(t, spans[1], "backend.test", "0", "ignored")
		if spans[1].Status.Code != codes.Unset {
			t.Errorf("status = %+v, want Unset without SetStatus", spans[1].Status)
		}
	})
}

func TestBudgetExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracer, exp := newTracer(t, sdktrace.AlwaysSample())
		budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 1, NoFloor: true})
		if err != nil {
			t.Fatal(err)
		}
		rt, err := transport.New(transport.Config{
			Base:  scripted(reply{status: 503}),
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond), Budget: budget},
			Hooks: otelx.Hooks(otelx.Config{}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := call(tracer, rt, url); status != 503 || err != nil {
			t.Fatalf("call = %d, %v; want 503", status, err)
		}
		s := onlySpan(t, exp)
		assertEvents(t, s, []event{
			{otelx.EventRetry, []string{"resilient.attempt=1", "resilient.retry.delay=0.01", "resilient.reason=server_error", "http.response.status_code=503"}},
			{otelx.EventBudgetExhausted, []string{"resilient.attempt=2", "resilient.reason=server_error", "http.response.status_code=503"}},
		})
		assertSpanAttrs(t, s, "backend.test", "2", "failure")
	})
}

func TestHostKey(t *testing.T) {
	tracer, exp := newTracer(t, sdktrace.AlwaysSample())
	rt, err := transport.New(transport.Config{
		Base:  scripted(reply{status: 200}),
		Hooks: otelx.Hooks(otelx.Config{HostKey: func(r *http.Request) string { return "catalog" }}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call(tracer, rt, url); err != nil {
		t.Fatal(err)
	}
	assertSpanAttrs(t, onlySpan(t, exp), "catalog", "1", "success")
}

// A span that the parent's sampler dropped gets nothing, and the hooks
// cost it no allocation; a context without a span is no error either.
func TestNotRecording(t *testing.T) {
	tracer, exp := newTracer(t, sdktrace.ParentBased(sdktrace.NeverSample()))
	ctx, span := tracer.Start(context.Background(), "GET")
	defer span.End()
	if span.IsRecording() {
		t.Fatal("the test span records; want a non-recording one")
	}
	h := otelx.Hooks(otelx.Config{SetStatus: true})
	verdict := transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonThrottled, RetryAfter: time.Second}
	for name, ctx := range map[string]context.Context{"unsampled": ctx, "no span": context.Background()} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			h.OnRetry(transport.RetryEvent{Request: req, Attempt: 1, Delay: time.Second, Verdict: verdict, StatusCode: 429})
			h.OnBudgetExhausted(transport.RetryEvent{Request: req, Attempt: 2, Verdict: verdict, StatusCode: 429})
			h.OnRejected(transport.Rejection{Request: req, Stage: "breaker", Err: breaker.ErrOpen})
			h.OnCallEnd(transport.CallEnd{Request: req, StatusCode: 429, Verdict: verdict, Attempts: 2})
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per call of every hook, want 0", name, allocs)
		}
	}
	span.End()
	if n := len(exp.GetSpans()); n != 0 {
		t.Errorf("exported %d spans, want 0", n)
	}
}

// Through the stack, an unsampled call is served as usual and leaves no
// span behind.
func TestNotSampledThroughStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracer, exp := newTracer(t, sdktrace.NeverSample())
		rt, err := transport.New(transport.Config{
			Base:  scripted(reply{status: 503}, reply{status: 200}),
			Retry: transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
			Hooks: otelx.Hooks(otelx.Config{}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := call(tracer, rt, url); status != 200 || err != nil {
			t.Fatalf("call = %d, %v; want 200", status, err)
		}
		if n := len(exp.GetSpans()); n != 0 {
			t.Errorf("exported %d spans, want 0", n)
		}
	})
}
