package transport_test

import (
	"net/http"
	"testing"

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
