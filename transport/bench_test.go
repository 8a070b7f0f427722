package transport_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/transport"
)

// The floor: the stub alone.
func BenchmarkBaseStub(b *testing.B) {
	benchRoundTrip(b, okStub)
}

// Retry on the success path, default config (budget on, jittered backoff).
func BenchmarkRetrySuccess(b *testing.B) {
	benchRoundTrip(b, retrying(b, transport.RetryConfig{}, okStub))
}

func BenchmarkBaseStubParallel(b *testing.B) {
	benchRoundTripParallel(b, okStub)
}

func BenchmarkRetrySuccessParallel(b *testing.B) {
	benchRoundTripParallel(b, retrying(b, transport.RetryConfig{}, okStub))
}

func benchRoundTrip(b *testing.B, rt http.RoundTripper) {
	req, _ := http.NewRequest("GET", "http://x.test/", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp, err)
		}
	}
}

func benchRoundTripParallel(b *testing.B, rt http.RoundTripper) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", "http://x.test/", nil)
		for pb.Next() {
			resp, err := rt.RoundTrip(req)
			if err != nil || resp.StatusCode != 200 {
				b.Error(resp, err)
				return
			}
		}
	})
}

// The peer, measured in the same run: go-retryablehttp's RoundTripper over
// the same stub, with its defaults.
func BenchmarkPeerRetryableHTTPSuccess(b *testing.B) {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.HTTPClient = &http.Client{Transport: okStub}
	benchRoundTrip(b, &retryablehttp.RoundTripper{Client: c})
}

func BenchmarkBreakerSuccess(b *testing.B) {
	mw, err := transport.Breaker(transport.BreakerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, transport.Chain(okStub, mw))
}

func BenchmarkBreakerSuccessParallel(b *testing.B) {
	mw, err := transport.Breaker(transport.BreakerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTripParallel(b, transport.Chain(okStub, mw))
}

func BenchmarkRetryBreakerSuccess(b *testing.B) {
	retry, err := transport.Retry(transport.RetryConfig{})
	if err != nil {
		b.Fatal(err)
	}
	brk, err := transport.Breaker(transport.BreakerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, transport.Chain(okStub, retry, brk))
}

// The assembled stack with its defaults (total and attempt timeouts,
// retry with budget, per-host breaker, pushback) over the stub.
func BenchmarkStackDefault(b *testing.B) {
	rt, err := transport.New(transport.Config{Base: okStub})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, rt)
}

func BenchmarkStackDefaultParallel(b *testing.B) {
	rt, err := transport.New(transport.Config{Base: okStub})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTripParallel(b, rt)
}

// The same stack without its two timeouts: our own overhead.
func BenchmarkStackNoTimeouts(b *testing.B) {
	rt, err := transport.New(transport.Config{Base: okStub, Timeout: transport.TimeoutConfig{TotalOff: true, AttemptOff: true}})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, rt)
}

// What the standard library charges for two timeouts (a total and a
// per-attempt one), done by hand: a deadline context and a request copy
// each. This is the floor under BenchmarkStackDefault's extra cost.
func BenchmarkStdlibTwoTimeouts(b *testing.B) {
	benchRoundTrip(b, stdlibTwoTimeouts(okStub))
}

func stdlibTwoTimeouts(next http.RoundTripper) http.RoundTripper {
	withTimeout := func(next http.RoundTripper) http.RoundTripper {
		return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			ctx, cancel := context.WithTimeout(req.Context(), time.Minute)
			defer cancel()
			return next.RoundTrip(req.WithContext(ctx))
		})
	}
	return withTimeout(withTimeout(next))
}

// The default stack observed by SlogHooks on a logger at Info: a healthy
// call logs nothing, and should cost little more than the stack itself.
func BenchmarkStackSlogInfo(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	rt, err := transport.New(transport.Config{Base: okStub, Timeout: transport.TimeoutConfig{TotalOff: true, AttemptOff: true},
		Hooks: transport.SlogHooks(logger)})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, rt)
}

// doneStub is okStub that does with the context what net/http's Transport
// does: derive a cancellable context from it and select on its Done. Over
// it, the timer and the channel that a deadline context makes only when
// asked are made on every call.
var doneStub = stubFunc(func(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	defer cancel(nil)
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	default:
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
})

// The default stack and the two timeouts written by hand, over a base
// that asks for the context's Done as net/http does.
func BenchmarkStackDefaultDoneBase(b *testing.B) {
	rt, err := transport.New(transport.Config{Base: doneStub})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, rt)
}

func BenchmarkStdlibTwoTimeoutsDoneBase(b *testing.B) {
	benchRoundTrip(b, stdlibTwoTimeouts(doneStub))
}

func BenchmarkDoneBase(b *testing.B) {
	benchRoundTrip(b, doneStub)
}
