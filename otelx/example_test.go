package otelx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// Hooks alone, for a stack whose spans someone else starts (NewTracing is
// the recommended setup: see its example). A backend that fails once: the
// span that the request carries gets a retry event and, when the call
// ends, the host and the number of attempts. An in-memory exporter stands
// in for a real one.
func ExampleHooks() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()

	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	wait, _ := backoff.New(backoff.Config{Base: 10 * time.Millisecond, Jitter: backoff.NoJitter})
	stack, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Backoff: wait},
		Hooks: otelx.Hooks(otelx.Config{}),
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	client := &http.Client{Transport: stack}

	ctx, span := tp.Tracer("example").Start(context.Background(), "GET /", trace.WithSpanKind(trace.SpanKindClient))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, backend.URL, nil)
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	span.End()

	for _, s := range exporter.GetSpans() {
		for _, e := range s.Events {
			fmt.Print(e.Name)
			for _, kv := range e.Attributes {
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
			fmt.Println()
		}
		for _, kv := range s.Attributes {
			if kv.Key == otelx.KeyAttempts || kv.Key == otelx.KeyOutcome {
				fmt.Printf("%s=%s\n", kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// resilient.retry resilient.attempt=1 resilient.retry.delay=0.01 resilient.reason=server_error http.response.status_code=503
	// resilient.attempts=2
	// resilient.outcome=success
}
