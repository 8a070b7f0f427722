package otelx_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/propagation"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// BenchmarkStack measures the success path of the assembled stack, over a
// stub that answers a fresh 200 without I/O, inside a client span started
// per call (as otelhttp does), with and without the hooks, for a span that
// the sampler dropped and one that records. The tracing hooks' own cost is
// the difference between hooks=noop (an observer that does nothing) and
// hooks=on at the same sampling.
func BenchmarkStack(b *testing.B) {
	stub := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
	})
	for _, sampling := range []struct {
		name    string
		sampler sdktrace.Sampler
	}{{"notsampled", sdktrace.NeverSample()}, {"sampled", sdktrace.AlwaysSample()}} {
		for _, hooks := range []struct {
			name  string
			hooks transport.Hooks
		}{
			{"off", transport.Hooks{}},
			// Any hook installs the stack's observe stage, which costs
			// the same to every observer (metrics, logs, tracing).
			{"noop", transport.Hooks{OnCallEnd: func(transport.CallEnd) {}}},
			{"on", otelx.Hooks(otelx.Config{})},
		} {
			b.Run(sampling.name+"/hooks="+hooks.name, func(b *testing.B) {
				// A processor that keeps nothing: the cost measured is the
				// span's and the hooks', not an exporter's.
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampling.sampler))
				defer func() { _ = tp.Shutdown(context.Background()) }()
				tracer := tp.Tracer("bench")
				rt, err := transport.New(transport.Config{Base: stub, Hooks: hooks.hooks})
				if err != nil {
					b.Fatal(err)
				}
				req, err := http.NewRequest(http.MethodGet, "http://backend.test/", nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					ctx, span := tracer.Start(context.Background(), "GET")
					resp, err := rt.RoundTrip(req.WithContext(ctx))
					if err != nil {
						b.Fatal(err)
					}
					_ = resp.Body.Close()
					span.End()
				}
			})
		}
	}
}

// BenchmarkHooksNotRecording is the whole cost of the hooks for a span that
// the sampler dropped: every hook of one retried call, each a context
// lookup and a return.
func BenchmarkHooksNotRecording(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, span := tp.Tracer("bench").Start(context.Background(), "GET")
	defer span.End()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test/", nil)
	if err != nil {
		b.Fatal(err)
	}
	h := otelx.Hooks(otelx.Config{})
	verdict := transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError}
	b.ReportAllocs()
	for b.Loop() {
		h.OnRetry(transport.RetryEvent{Request: req, Attempt: 1, Verdict: verdict, StatusCode: 503})
		h.OnCallEnd(transport.CallEnd{Request: req, StatusCode: 200, Attempts: 2})
	}
}

// BenchmarkTracing measures the success path of a stack traced by
// NewTracing (a call span, an attempt span with its request clone and
// header injection, the hooks), over the same stub, against the stack
// without tracing: the difference is what the per-attempt spans cost, for
// a sampler that drops calls and one that records them.
func BenchmarkTracing(b *testing.B) {
	stub := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
	})
	for _, sampling := range []struct {
		name    string
		sampler sdktrace.Sampler
	}{{"notsampled", sdktrace.ParentBased(sdktrace.NeverSample())}, {"sampled", sdktrace.AlwaysSample()}} {
		for _, traced := range []bool{false, true} {
			b.Run(sampling.name+"/tracing="+strconv.FormatBool(traced), func(b *testing.B) {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampling.sampler))
				defer func() { _ = tp.Shutdown(context.Background()) }()
				cfg := transport.Config{Base: stub}
				tr := otelx.NewTracing(otelx.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}})
				if traced {
					cfg.Hooks = tr.Hooks()
					cfg.Attempt = []transport.Middleware{tr.Attempt}
				}
				stack, err := transport.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				var rt http.RoundTripper = stack
				if traced {
					rt = tr.Transport(stack)
				}
				// The caller's span, from the server span that its
				// handler runs in: sampled or not, as the sampler says.
				ctx, parent := tp.Tracer("bench").Start(context.Background(), "handler")
				defer parent.End()
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test/", nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					resp, err := rt.RoundTrip(req)
					if err != nil {
						b.Fatal(err)
					}
					_ = resp.Body.Close()
				}
			})
		}
	}
}
