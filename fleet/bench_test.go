package fleet_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/fleet"
)

// BenchmarkAllow compares, against the same local redis-server and in the
// same run, the cost of a call that asks Redis every time (redis_rate's
// Allow: one EVALSHA round trip) with a fleet.Limiter's leased call. The
// limit is high enough that nothing is refused, so what is measured is
// the price of asking.
func BenchmarkAllow(b *testing.B) {
	r := startRedis(b)
	ctx := context.Background()
	limit := redis_rate.PerSecond(1_000_000_000)

	b.Run("redis_rate.Allow", func(b *testing.B) {
		rl := redis_rate.NewLimiter(r.client(b))
		b.ReportAllocs()
		for b.Loop() {
			if res, err := rl.Allow(ctx, "bench:plain", limit); err != nil || res.Allowed != 1 {
				b.Fatal(res, err)
			}
		}
	})
	for _, maxLease := range []int{10, 100, 0} {
		name := "fleet.Allow/MaxLease=" + map[int]string{10: "10", 100: "100", 0: "default"}[maxLease]
		b.Run(name, func(b *testing.B) {
			l := newBenchLimiter(b, r, limit, maxLease)
			b.ReportAllocs()
			for b.Loop() {
				if err := l.Allow(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			reportRoundTrips(b, l)
		})
	}

	b.Run("redis_rate.Allow/parallel", func(b *testing.B) {
		rl := redis_rate.NewLimiter(r.client(b))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := rl.Allow(ctx, "bench:plain", limit); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("fleet.Allow/MaxLease=100/parallel", func(b *testing.B) {
		l := newBenchLimiter(b, r, limit, 100)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := l.Allow(ctx, "bench"); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRoundTrips(b, l)
	})
}

func newBenchLimiter(b *testing.B, r *redisServer, limit redis_rate.Limit, maxLease int) *fleet.Limiter {
	l, err := fleet.New(fleet.Config{
		Redis:            r.client(b),
		Limit:            limit,
		ExpectedReplicas: 1,
		MaxLease:         maxLease,
		Prefix:           "bench:" + b.Name() + ":",
		Timeout:          time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	return l
}

func reportRoundTrips(b *testing.B, l *fleet.Limiter) {
	s := l.Stats()
	if s.Allowed > 0 {
		b.ReportMetric(float64(s.RoundTrips)/float64(s.Allowed), "roundtrips/op")
	}
	if s.Fallback > 0 {
		b.Errorf("%d calls fell back: Redis was not answering", s.Fallback)
	}
}
