package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// flaky is a backend that fails its first request with a 503, and
// records the traceparent header of every request.
type flaky struct {
	mu   sync.Mutex
	seen []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Header.Get("traceparent"))
	n := len(f.seen)
	f.mu.Unlock()
	if n == 1 {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}
}

// Where otelhttp goes, if anywhere.
const (
	noOtelhttp = iota
	otelhttpOutermost
	otelhttpAsBase
)

// traced runs one retried GET through the traced stack, with otelhttp
// placed as told, and returns the spans and the traceparent headers the
// backend received.
func traced(t *testing.T, otelhttpAt int) ([]tracetest.SpanStub, []string) {
	t.Helper()
	var backend flaky
	srv := httptest.NewServer(&backend)
	defer srv.Close()
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	prop := propagation.TraceContext{}
	opts := []otelhttp.Option{otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop)}

	tr := otelx.NewTracing(otelx.Config{TracerProvider: tp, Propagator: prop})
	wait, err := backoff.New(backoff.Config{Base: 1, Jitter: backoff.NoJitter})
	if err != nil {
		t.Fatal(err)
	}
	cfg := transport.Config{
		Retry:   transport.RetryConfig{Backoff: wait},
		Hooks:   tr.Hooks(),
		Attempt: []transport.Middleware{tr.Attempt},
	}
	if otelhttpAt == otelhttpAsBase {
		cfg.Base = otelhttp.NewTransport(http.DefaultTransport, opts...)
		defer http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	}
	stack, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer stack.CloseIdleConnections()
	rt := tr.Transport(stack)
	if otelhttpAt == otelhttpOutermost {
		rt = otelhttp.NewTransport(rt, opts...)
	}
	resp, err := (&http.Client{Transport: rt}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200 after a retry", resp.StatusCode)
	}
	return exporter.GetSpans(), backend.seen
}

// kinds returns the spans' kinds, in the order they ended.
func kinds(spans []tracetest.SpanStub) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name+"/"+s.SpanKind.String())
	}
	return out
}

// parentOf fails t unless child's parent is parent.
func parentOf(t *testing.T, child, parent tracetest.SpanStub) {
	t.Helper()
	if child.Parent.SpanID() != parent.SpanContext.SpanID() {
		t.Errorf("%s's parent is %v, want %s (%v)", child.Name, child.Parent.SpanID(), parent.Name, parent.SpanContext.SpanID())
	}
}

func traceparent(s tracetest.SpanStub) string {
	return "00-" + s.SpanContext.TraceID().String() + "-" + s.SpanContext.SpanID().String() + "-01"
}

// The recipe's setup, without otelhttp: two attempt spans under the call
// span, and each attempt sent its own span's trace context.
func TestTracedAlone(t *testing.T) {
	spans, seen := traced(t, noOtelhttp)
	if len(spans) != 3 {
		t.Fatalf("spans %v, want two attempts and the call", kinds(spans))
	}
	parentOf(t, spans[0], spans[2])
	parentOf(t, spans[1], spans[2])
	for i := range 2 {
		if seen[i] != traceparent(spans[i]) {
			t.Errorf("request %d carried %q, want attempt %d's %q", i+1, seen[i], i+1, traceparent(spans[i]))
		}
	}
}

// otelhttp outermost, around the traced stack (where a program that wraps
// every client in otelhttp puts it): its client span parents the call
// span, the attempts are still one span each, and the server sees each
// attempt's trace context, not otelhttp's. Right, if redundant: the
// recipe's advice is to leave otelhttp off this client.
func TestOtelhttpOutermost(t *testing.T) {
	spans, seen := traced(t, otelhttpOutermost)
	if len(spans) != 4 {
		t.Fatalf("spans %v, want two attempts, the call and otelhttp's", kinds(spans))
	}
	outer, call := spans[3], spans[2]
	if outer.SpanKind != trace.SpanKindClient || call.Name != "call GET" {
		t.Fatalf("spans %v, want otelhttp's client span to end last, after the call's", kinds(spans))
	}
	parentOf(t, call, outer)
	parentOf(t, spans[0], call)
	parentOf(t, spans[1], call)
	for i := range 2 {
		if seen[i] != traceparent(spans[i]) {
			t.Errorf("request %d carried %q, want attempt %d's %q", i+1, seen[i], i+1, traceparent(spans[i]))
		}
	}
}

// otelhttp as the stack's Base (inside it): a second client span under
// each of ours, for the same request. This is why the recipe says not to.
func TestOtelhttpAsBaseDuplicates(t *testing.T) {
	spans, _ := traced(t, otelhttpAsBase)
	client := 0
	for _, s := range spans {
		if s.SpanKind == trace.SpanKindClient {
			client++
		}
	}
	if client != 4 {
		t.Errorf("spans %v: %d client spans for 2 requests, want 4 (2 duplicates): if otelhttp stopped duplicating, revisit the recipe", kinds(spans), client)
	}
}
