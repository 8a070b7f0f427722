package tracing_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// newClient builds the traced client, the way a service does: one call
// span around the stack, a client span per attempt inside it, events from
// the hooks. cfg holds the stack's own settings.
func newClient(tp *sdktrace.TracerProvider, cfg transport.Config) (*http.Client, *transport.Transport) {
	// In a service: otelx.Config{} uses the global providers
	// (otel.SetTracerProvider, otel.SetTextMapPropagator).
	tr := otelx.NewTracing(otelx.Config{TracerProvider: tp})
	cfg.Hooks = tr.Hooks()                           // events on the call span
	cfg.Attempt = []transport.Middleware{tr.Attempt} // a client span per attempt
	stack, err := transport.New(cfg)
	if err != nil {
		panic(err)
	}
	return &http.Client{Transport: tr.Transport(stack)}, stack // the call span
}

// newTracing returns a tracer provider that records every span into an
// in-memory exporter. In a service, this is your OTLP exporter, batched.
func newTracing() (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exporter := tracetest.NewInMemoryExporter()
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter)), exporter
}

// get sends one GET and reads the answer, whatever it is.
func get(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// printSpans prints each span, in the order they ended (attempts before
// their call), with its kind, the attributes that tell the story, and
// its events.
func printSpans(exporter *tracetest.InMemoryExporter) {
	for _, s := range exporter.GetSpans() {
		indent := "  " // an attempt, under its call
		if s.SpanKind.String() == "internal" {
			indent = ""
		}
		fmt.Printf("%s%s (%s)", indent, s.Name, s.SpanKind)
		for _, kv := range s.Attributes {
			switch kv.Key {
			case otelx.KeyStatusCode, otelx.KeyResendCount, otelx.KeyErrorType, otelx.KeyAttempts, otelx.KeyCallOutcome:
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
		}
		fmt.Println()
		for _, e := range s.Events {
			fmt.Print(indent, "  event ", e.Name)
			for _, kv := range e.Attributes {
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
			fmt.Println()
		}
	}
}

// A backend that is busy once, then asks the client to slow down: each
// attempt is a client span (the second and third with
// http.request.resend_count), and the call's span shows each retry with
// its delay and reason, and the server's pushback.
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
	client, stack := newClient(tp, transport.Config{Retry: transport.RetryConfig{Backoff: wait}})
	defer stack.CloseIdleConnections()

	get(client, backend.URL)
	printSpans(exporter)
	// Output:
	//   GET (client) http.response.status_code=503 error.type=503
	//   GET (client) http.request.resend_count=1 http.response.status_code=429 error.type=429
	//   GET (client) http.request.resend_count=2 http.response.status_code=200
	// call GET (internal) resilient.attempts=3 resilient.call.outcome=success http.response.status_code=200
	//   event resilient.retry resilient.attempt=1 resilient.retry.delay=0.01 resilient.reason=server_error http.response.status_code=503
	//   event resilient.pushback resilient.attempt=2 resilient.retry_after=1 http.response.status_code=429
	//   event resilient.retry resilient.attempt=2 resilient.retry.delay=1 resilient.reason=throttled http.response.status_code=429
}

// A backend in an outage: once the breaker opens, calls fail at once
// without touching the network: their call span says why, with no
// attempt span under it.
func Example_breakerOpen() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer backend.Close()

	tp, exporter := newTracing()
	defer func() { _ = tp.Shutdown(context.Background()) }()

	client, stack := newClient(tp, transport.Config{
		Retry:   transport.RetryConfig{Off: true},
		Breaker: transport.BreakerConfig{ConsecutiveFailures: 2, BreakDuration: time.Minute},
	})
	defer stack.CloseIdleConnections()

	for range 3 {
		get(client, backend.URL)
	}
	printSpans(exporter)
	for _, s := range exporter.GetSpans() {
		fmt.Printf("%s status: %s\n", s.Name, s.Status.Code)
	}
	// Output:
	//   GET (client) http.response.status_code=500 error.type=500
	// call GET (internal) resilient.attempts=1 resilient.call.outcome=error_status http.response.status_code=500 error.type=500
	//   GET (client) http.response.status_code=500 error.type=500
	// call GET (internal) resilient.attempts=1 resilient.call.outcome=error_status http.response.status_code=500 error.type=500
	// call GET (internal) resilient.attempts=0 resilient.call.outcome=refused error.type=breaker_open
	//   event resilient.rejected resilient.stage=breaker error.type=breaker_open
	// GET status: Error
	// call GET status: Error
	// GET status: Error
	// call GET status: Error
	// call GET status: Error
}

// The same stack measured through the OTel metric API, for a program that
// exports OTel metrics rather than scrape promx: the conventions'
// per-attempt duration histogram, and calls by how they ended for their
// caller. A ManualReader stands in for your exporter's periodic reader.
func Example_metrics() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	metrics, err := otelx.NewMetrics(otelx.MetricsConfig{MeterProvider: mp}) // nil: otel.GetMeterProvider()
	if err != nil {
		panic(err)
	}
	defer metrics.Close()
	wait, _ := backoff.New(backoff.Config{Base: 10 * time.Millisecond, Jitter: backoff.NoJitter})
	stack, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Backoff: wait},
		// Beside tracing: transport.JoinHooks(tr.Hooks(), metrics.Hooks())
		Hooks: metrics.Hooks(),
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	metrics.Observe(stack) // breaker states, read at each collection
	get(&http.Client{Transport: stack}, backend.URL)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				status, _ := p.Attributes.Value(otelx.KeyStatusCode)
				fmt.Printf("%s (%s) status=%s count=%d\n", m.Name, m.Unit, status.String(), p.Count)
			}
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				outcome, _ := p.Attributes.Value(otelx.KeyCallOutcome)
				reason, _ := p.Attributes.Value(otelx.KeyReason)
				fmt.Printf("%s %s%s %d\n", m.Name, outcome.String(), reason.String(), p.Value)
			}
		}
	}
	// Unordered output:
	// http.client.request.duration (s) status=503 count=1
	// http.client.request.duration (s) status=200 count=1
	// resilient.client.calls success 1
	// resilient.client.retries server_error 1
}
