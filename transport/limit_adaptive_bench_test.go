package transport_test

import (
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

func limitOver(b *testing.B, lc transport.LimitConfig) http.RoundTripper {
	mw, err := transport.Limit(lc)
	if err != nil {
		b.Fatal(err)
	}
	return mw(okStub)
}

// The Limit middleware with its default pushback pause: the baseline.
func BenchmarkLimitPause(b *testing.B) {
	benchRoundTrip(b, limitOver(b, transport.LimitConfig{}))
}

// The adaptive rate before any throttle: the host lookup, an atomic load
// to admit, and the measurement after the response.
func BenchmarkLimitAdaptive(b *testing.B) {
	benchRoundTrip(b, limitOver(b, transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{}}))
}

// The adaptive rate with a limit in force (a ceiling high enough never to
// refuse): the token bucket too.
func BenchmarkLimitAdaptiveLimited(b *testing.B) {
	benchRoundTrip(b, limitOver(b, transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{MaxRate: 1e12, Burst: 1 << 30}}))
}

func BenchmarkLimitAdaptiveParallel(b *testing.B) {
	benchRoundTripParallel(b, limitOver(b, transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{}}))
}
