package otelx_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/resilient-go/resilient/transport"
)

// Issue 20: Attempt knows each attempt's number from the stack itself
// (transport.AttemptNumber), with no Transport around the stack.
func TestAttemptResendCountWithoutTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp := newTracing(t, sdktrace.AlwaysSample())
		rt, err := transport.New(transport.Config{
			Base:    scripted(reply{status: 503}, reply{status: 502}, reply{status: 200}),
			Retry:   transport.RetryConfig{Backoff: fixedBackoff(t, 10*time.Millisecond)},
			Hooks:   tr.Hooks(),
			Attempt: []transport.Middleware{tr.Attempt},
		})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, "http://backend.test/items", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("call = %v, %v; want 200", resp, err)
		}
		_ = resp.Body.Close()
		spans := exp.GetSpans()
		if len(spans) != 3 {
			t.Fatalf("exported %d spans, want 3 attempts", len(spans))
		}
		for i, resend := range []string{"ABSENT", "1", "2"} {
			wantAttrs(t, "attempt", spans[i], map[string]string{"http.request.resend_count": resend})
		}
	})
}
