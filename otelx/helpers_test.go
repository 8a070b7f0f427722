package otelx_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// newTracer returns a tracer whose spans end up, synchronously, in the
// returned in-memory exporter.
func newTracer(t testing.TB, sampler sdktrace.Sampler) (trace.Tracer, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sampler))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp.Tracer("otelx_test"), exp
}

// call sends a GET through rt inside a client span, as otelhttp's
// transport would around the stack, and returns the status or the error.
func call(tracer trace.Tracer, rt http.RoundTripper, url string) (int, error) {
	ctx, span := tracer.Start(context.Background(), "GET", trace.WithSpanKind(trace.SpanKindClient))
	defer span.End()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// reply is one scripted answer: a status, with Retry-After when set.
type reply struct {
	status     int
	retryAfter string
}

// scripted answers each request with the next reply, repeating the last.
func scripted(replies ...reply) http.RoundTripper {
	var mu sync.Mutex
	n := 0
	return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		r := replies[min(n, len(replies)-1)]
		n++
		mu.Unlock()
		h := http.Header{}
		if r.retryAfter != "" {
			h.Set("Retry-After", r.retryAfter)
		}
		return &http.Response{StatusCode: r.status, Header: h, Body: http.NoBody, Request: req}, nil
	})
}

// fixedBackoff waits base·2ⁿ without jitter, so delays are exact.
func fixedBackoff(t testing.TB, base time.Duration) backoff.Strategy {
	t.Helper()
	s, err := backoff.New(backoff.Config{Base: base, Jitter: backoff.NoJitter})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// event is a span event in a comparable form: its name and attributes
// written as key=value, in the order they were added.
type event struct {
	Name  string
	Attrs []string
}

func events(s tracetest.SpanStub) []event {
	var out []event
	for _, e := range s.Events {
		ev := event{Name: e.Name}
		for _, kv := range e.Attributes {
			ev.Attrs = append(ev.Attrs, kvString(kv))
		}
		out = append(out, ev)
	}
	return out
}

func kvString(kv attribute.KeyValue) string {
	if kv.Value.Type() == attribute.FLOAT64 {
		return string(kv.Key) + "=" + strconv.FormatFloat(kv.Value.AsFloat64(), 'g', -1, 64)
	}
	return string(kv.Key) + "=" + kv.Value.String()
}

// spanAttr returns the value of key on s, as a string ("" when absent).
func spanAttr(s tracetest.SpanStub, key attribute.Key) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}

// onlySpan returns the one span exported, failing otherwise.
func onlySpan(t *testing.T, exp *tracetest.InMemoryExporter) tracetest.SpanStub {
	t.Helper()
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("exported %d spans, want 1", len(spans))
	}
	return spans[0]
}
