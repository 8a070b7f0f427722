package tracing_test

import (
	"context"
	"fmt"
	"io"
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

// newTracing returns a tracer provider that records every span into an
// in-memory exporter. In a service, this is your OTLP exporter, batched.
func newTracing() (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exporter := tracetest.NewInMemoryExporter()
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter)), exporter
}

// get sends one GET inside a client span, as otelhttp.NewTransport(stack)
// does for every request in a service.
func get(tp trace.TracerProvider, client *http.Client, url string) error {
	ctx, span := tp.Tracer("recipe").Start(context.Background(), "GET", trace.WithSpanKind(trace.SpanKindClient))
	defer span.End()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// printSpans prints what the hooks added to each span: its events, then
// the number of attempts and the outcome.
func printSpans(exporter *tracetest.InMemoryExporter) {
	for i, s := range exporter.GetSpans() {
		fmt.Printf("span %d:\n", i+1)
		for _, e := range s.Events {
			fmt.Print("  event ", e.Name)
			for _, kv := range e.Attributes {
				if kv.Key == otelx.KeyErrorMessage {
					continue // names the loopback port
				}
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
			fmt.Println()
		}
		for _, kv := range s.Attributes {
			if kv.Key == otelx.KeyAttempts || kv.Key == otelx.KeyOutcome {
				fmt.Printf("  %s=%s\n", kv.Key, kv.Value.String())
			}
		}
	}
}

// A backend that is busy once, then asks the client to slow down: the
// call's span shows each retry with its delay and reason, the server's
// pushback, and how many attempts the call took.
func Example_retries() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	defer backend.Close()

	tp, exporter := newTracing()
	defer func() { _ = tp.Shutdown(context.Background()) }()

	// Waits without jitter, so that the printed delays are exact.
	wait, err := backoff.New(backoff.Config{Base: 10 * time.Millisecond, Jitter: backoff.NoJitter})
	if err != nil {
		panic(err)
	}
	stack, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Backoff: wait},
		Hooks: otelx.Hooks(otelx.Config{}),
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	// In a service: &http.Client{Transport: otelhttp.NewTransport(stack)}
	client := &http.Client{Transport: stack}

	if err := get(tp, client, backend.URL); err != nil {
		panic(err)
	}
	printSpans(exporter)
	// Output:
	// span 1:
	//   event resilient.retry resilient.attempt=1 resilient.retry.delay=0.01 resilient.reason=server_error http.response.status_code=503
	//   event resilient.pushback resilient.attempt=2 resilient.retry_after=1 http.response.status_code=429
	//   event resilient.retry resilient.attempt=2 resilient.retry.delay=1 resilient.reason=throttled http.response.status_code=429
	//   resilient.attempts=3
	//   resilient.outcome=success
}

// A backend in an outage: once the breaker opens, calls fail at once
// without touching the network, and their spans say why.
func Example_breakerOpen() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer backend.Close()

	tp, exporter := newTracing()
	defer func() { _ = tp.Shutdown(context.Background()) }()

	stack, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Off: true},
		Breaker: transport.BreakerConfig{
			ConsecutiveFailures: 2, BreakDuration: time.Minute,
		},
		// SetStatus marks failed calls' spans as errors; otelhttp does
		// that itself, so leave it off under otelhttp.
		Hooks: otelx.Hooks(otelx.Config{SetStatus: true}),
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	client := &http.Client{Transport: stack}

	for range 3 {
		_ = get(tp, client, backend.URL)
	}
	printSpans(exporter)
	for i, s := range exporter.GetSpans() {
		fmt.Printf("span %d status: %s\n", i+1, s.Status.Code)
	}
	// Output:
	// span 1:
	//   resilient.attempts=1
	//   resilient.outcome=failure
	// span 2:
	//   resilient.attempts=1
	//   resilient.outcome=failure
	// span 3:
	//   event resilient.rejected resilient.stage=breaker
	//   resilient.attempts=0
	//   resilient.outcome=ignored
	// span 1 status: Error
	// span 2 status: Error
	// span 3 status: Error
}
