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

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// A backend that fails once: the call gets a span, with a retry event,
// and each of its two attempts a client span under it, the second with
// http.request.resend_count=1. An in-memory exporter stands in for a real
// one.
func ExampleNewTracing() {
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

	tr := otelx.NewTracing(otelx.Config{TracerProvider: tp}) // nil: otel.GetTracerProvider()
	wait, _ := backoff.New(backoff.Config{Base: 10 * time.Millisecond, Jitter: backoff.NoJitter})
	stack, err := transport.New(transport.Config{
		Retry:   transport.RetryConfig{Backoff: wait},
		Hooks:   tr.Hooks(),                         // events on the call span
		Attempt: []transport.Middleware{tr.Attempt}, // a span per attempt
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	client := &http.Client{Transport: tr.Transport(stack)} // the call span

	resp, err := client.Get(backend.URL + "/items")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	for _, s := range exporter.GetSpans() { // in the order they ended
		fmt.Printf("%s (%s)", s.Name, s.SpanKind)
		for _, kv := range s.Attributes {
			switch kv.Key {
			case otelx.KeyStatusCode, otelx.KeyResendCount, otelx.KeyErrorType, otelx.KeyAttempts:
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
		}
		for _, e := range s.Events {
			fmt.Printf(" event:%s", e.Name)
		}
		fmt.Println()
	}
	// Output:
	// GET (client) http.response.status_code=503 error.type=503
	// GET (client) http.request.resend_count=1 http.response.status_code=200
	// call GET (internal) resilient.attempts=2 http.response.status_code=200 event:resilient.retry
}
