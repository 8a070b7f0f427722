package balancer_test

import (
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
)

// The caller reads the clock once per attempt anyway (to time it), so
// the benchmarks pass a fixed time: they measure the balancer alone.

func benchPick(b *testing.B, policy balancer.Policy) {
	bal := newBalancer(b, balancer.Config{Policy: policy}, eps(10))
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, _ := bal.Pick(now, nil)
		p.Done(now, balancer.Success)
	}
}

func benchPickParallel(b *testing.B, policy balancer.Policy) {
	bal := newBalancer(b, balancer.Config{Policy: policy}, eps(10))
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, _ := bal.Pick(now, nil)
			p.Done(now, balancer.Success)
		}
	})
}

// BenchmarkPick is one pick and its Done: the balancer's whole cost per
// attempt.
func BenchmarkPick(b *testing.B) {
	for _, p := range []balancer.Policy{balancer.PeakEWMA, balancer.LeastOutstanding, balancer.RoundRobin} {
		b.Run(p.String(), func(b *testing.B) { benchPick(b, p) })
		b.Run(p.String()+"/parallel", func(b *testing.B) { benchPickParallel(b, p) })
	}
}

// BenchmarkPickOnly is the pick without its Done (the in-flight counts
// grow, which P2C does not mind).
func BenchmarkPickOnly(b *testing.B) {
	bal := newBalancer(b, balancer.Config{}, eps(10))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = bal.Pick(now, nil)
	}
}

// BenchmarkPickAvoiding is a retry's pick, avoiding the endpoint that
// just failed.
func BenchmarkPickAvoiding(b *testing.B) {
	bal := newBalancer(b, balancer.Config{}, eps(10))
	now := time.Now()
	first, _ := bal.Pick(now, nil)
	var tried balancer.Tried
	tried.Add(first)
	b.ReportAllocs()
	for b.Loop() {
		p, _ := bal.Pick(now, &tried)
		p.Done(now, balancer.Success)
	}
}

// BenchmarkPickTwoEndpoints is Peak EWMA over two endpoints, which P2C
// compares without a random draw.
func BenchmarkPickTwoEndpoints(b *testing.B) {
	bal := newBalancer(b, balancer.Config{}, eps(2))
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, _ := bal.Pick(now, nil)
			p.Done(now, balancer.Success)
		}
	})
}
