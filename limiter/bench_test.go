package limiter_test

import (
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

// A rate high enough that Allow always succeeds in a benchmark.
const (
	benchLimit = rate.Limit(1e12)
	benchBurst = 1 << 30
)

// BenchmarkBareRateLimiterAllow is the floor: x/time/rate's Allow on a
// single limiter, with nothing of ours.
func BenchmarkBareRateLimiterAllow(b *testing.B) {
	l := rate.NewLimiter(benchLimit, benchBurst)
	b.ReportAllocs()
	for b.Loop() {
		if !l.Allow() {
			b.Fatal("rejected")
		}
	}
}

// BenchmarkRateAllow is Rate.Allow on one key: the bare Allow plus a map
// lookup, a pause check and a counter.
func BenchmarkRateAllow(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: benchLimit, Burst: benchBurst})
	const key = "api.example.com"
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Allow(key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRateAllow64Keys cycles through 64 keys.
func BenchmarkRateAllow64Keys(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: benchLimit, Burst: benchBurst})
	keys := benchKeys(64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := r.Allow(keys[i&63]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRateAllowInf is a Rate without a rate limit (pushback only):
// no token bucket, no mutex.
func BenchmarkRateAllowInf(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: rate.Inf})
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Allow("api.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRateAllowRejected is the reject path of a key out of tokens.
func BenchmarkRateAllowRejected(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: 1e-9, Burst: 1})
	_ = r.Allow("k")
	b.ReportAllocs()
	for b.Loop() {
		if r.Allow("k") == nil {
			b.Fatal("allowed")
		}
	}
}

// BenchmarkRateAllowPaused is the reject path of a paused key: a clock
// read and the error.
func BenchmarkRateAllowPaused(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: benchLimit, Burst: benchBurst, MaxPause: time.Hour})
	r.Pause("k", time.Now().Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if r.Allow("k") == nil {
			b.Fatal("allowed")
		}
	}
}

// BenchmarkBareRateLimiterAllowParallel: one limiter, one goroutine per
// core; its mutex serialises them.
func BenchmarkBareRateLimiterAllowParallel(b *testing.B) {
	l := rate.NewLimiter(benchLimit, benchBurst)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow()
		}
	})
}

// BenchmarkRateAllowParallel: one key, one goroutine per core.
func BenchmarkRateAllowParallel(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: benchLimit, Burst: benchBurst})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = r.Allow("api.example.com")
		}
	})
}

// BenchmarkRateAllowParallel64Keys: 64 keys, one goroutine per core.
func BenchmarkRateAllowParallel64Keys(b *testing.B) {
	r := mustRate(b, limiter.RateConfig{Limit: benchLimit, Burst: benchBurst})
	keys := benchKeys(64)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_ = r.Allow(keys[i&63])
			i++
		}
	})
}

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "host-" + strconv.Itoa(i) + ".example.com"
	}
	return keys
}

// BenchmarkConcurrency is Acquire then Done(Success), the success path of
// each algorithm.
func BenchmarkConcurrency(b *testing.B) {
	for _, alg := range []limiter.Algorithm{limiter.Fixed, limiter.Gradient, limiter.AIMD} {
		b.Run(alg.String(), func(b *testing.B) {
			x := mustConcurrency(b, limiter.ConcurrencyConfig{Algorithm: alg, Limit: 1000})
			b.ReportAllocs()
			for b.Loop() {
				tok, err := x.Acquire()
				if err != nil {
					b.Fatal(err)
				}
				tok.Done(limiter.Success)
			}
		})
	}
}

// BenchmarkConcurrencyParallel is the same, one goroutine per core.
func BenchmarkConcurrencyParallel(b *testing.B) {
	for _, alg := range []limiter.Algorithm{limiter.Fixed, limiter.Gradient, limiter.AIMD} {
		b.Run(alg.String(), func(b *testing.B) {
			x := mustConcurrency(b, limiter.ConcurrencyConfig{Algorithm: alg, Limit: 1000, MinLimit: 1000})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if tok, err := x.Acquire(); err == nil {
						tok.Done(limiter.Success)
					}
				}
			})
		})
	}
}

// BenchmarkConcurrencyRejected is the reject path: the error allocates.
func BenchmarkConcurrencyRejected(b *testing.B) {
	x := mustConcurrency(b, limiter.ConcurrencyConfig{Limit: 1})
	tok, _ := x.Acquire()
	defer tok.Done(limiter.Ignored)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.Acquire(); err == nil {
			b.Fatal("admitted")
		}
	}
}

// BenchmarkThrottle is Allow then Accepted on a healthy backend.
func BenchmarkThrottle(b *testing.B) {
	th := mustThrottle(b, limiter.ThrottleConfig{})
	b.ReportAllocs()
	for b.Loop() {
		if err := th.Allow(); err != nil {
			b.Fatal(err)
		}
		th.Accepted()
	}
}

// BenchmarkThrottleParallel is the same, one goroutine per core.
func BenchmarkThrottleParallel(b *testing.B) {
	th := mustThrottle(b, limiter.ThrottleConfig{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if th.Allow() == nil {
				th.Accepted()
			}
		}
	})
}
