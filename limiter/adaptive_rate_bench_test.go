package limiter_test

import (
	"testing"

	"github.com/resilient-go/resilient/limiter"
)

// BenchmarkAdaptiveRateAllowUnlimited is the admit path before any
// throttle (no MaxRate): an atomic load and a counter, no bucket.
func BenchmarkAdaptiveRateAllowUnlimited(b *testing.B) {
	a := mustAdaptiveRate(b, limiter.AdaptiveRateConfig{})
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Allow(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdaptiveRateAllow is the admit path with a limit in force:
// x/time/rate's AllowN on top (compare BenchmarkBareRateLimiterAllow).
func BenchmarkAdaptiveRateAllow(b *testing.B) {
	a := mustAdaptiveRate(b, limiter.AdaptiveRateConfig{MaxRate: benchLimit, Burst: benchBurst})
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Allow(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdaptiveRateAllowParallel is the limited admit path from every
// core: one bucket, one mutex.
func BenchmarkAdaptiveRateAllowParallel(b *testing.B) {
	a := mustAdaptiveRate(b, limiter.AdaptiveRateConfig{MaxRate: benchLimit, Burst: benchBurst})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := a.Allow(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAdaptiveRateSucceeded is the feedback of a call that was not
// throttled, on the curve after a throttle: the measurement, the cubic,
// and SetLimitAt.
func BenchmarkAdaptiveRateSucceeded(b *testing.B) {
	a := mustAdaptiveRate(b, limiter.AdaptiveRateConfig{})
	a.Throttled()
	b.ReportAllocs()
	for b.Loop() {
		a.Succeeded()
	}
}
