package breaker_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/breaker"
)

// BenchmarkClosedAllowSuccess is the hot path: admit a call to a closed
// breaker and report its success.
func BenchmarkClosedAllowSuccess(b *testing.B) {
	br := mustNew(b, breaker.Config{})
	b.ReportAllocs()
	for b.Loop() {
		p, err := br.Allow()
		if err != nil {
			b.Fatal(err)
		}
		p.Success()
	}
}

// BenchmarkClosedAllowSuccessParallel is the hot path with one goroutine
// per core: it should stay flat as -cpu grows.
func BenchmarkClosedAllowSuccessParallel(b *testing.B) {
	br := mustNew(b, breaker.Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, err := br.Allow()
			if err != nil {
				b.Error(err)
				return
			}
			p.Success()
		}
	})
}

// BenchmarkClosedAllowSuccessCountWindow is the hot path with a count
// window, whose shared cursor scales less.
func BenchmarkClosedAllowSuccessCountWindow(b *testing.B) {
	br := mustNew(b, breaker.Config{Window: breaker.Window{Kind: breaker.CountWindow}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, _ := br.Allow()
			p.Success()
		}
	})
}

// BenchmarkClosedAllowSuccessSlowTracking adds slow-call tracking: two
// clock reads per call.
func BenchmarkClosedAllowSuccessSlowTracking(b *testing.B) {
	br := mustNew(b, breaker.Config{SlowCallDuration: 1 << 40})
	b.ReportAllocs()
	for b.Loop() {
		p, _ := br.Allow()
		p.Success()
	}
}

// BenchmarkGroupGetAllowSuccessParallel looks a key up among 64 in a
// Group, then admits and reports a success, one goroutine per core.
func BenchmarkGroupGetAllowSuccessParallel(b *testing.B) {
	g, err := breaker.NewGroup(breaker.GroupConfig{})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "host-" + strconv.Itoa(i) + ".example.com"
		g.Get(keys[i])
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(17)) // goroutines start on different keys
		for pb.Next() {
			p, err := g.Allow(keys[i&63])
			if err != nil {
				b.Error(err)
				return
			}
			p.Success()
			i++
		}
	})
}

// BenchmarkOpenReject is the reject path of an open breaker: a clock read
// and a striped counter, no allocation.
func BenchmarkOpenReject(b *testing.B) {
	br := mustNew(b, breaker.Config{BreakDuration: 1 << 50})
	br.Isolate()
	br.Reset()
	tripNow(b, br)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := br.Allow(); err == nil {
			b.Fatal("admitted by an open breaker")
		}
	}
}

// BenchmarkClosedAllowFailure is the failure path without tripping: a
// clock read and a window sum.
func BenchmarkClosedAllowFailure(b *testing.B) {
	br := mustNew(b, breaker.Config{FailureRatio: 1, MinThroughput: 1 << 40})
	b.ReportAllocs()
	for b.Loop() {
		p, _ := br.Allow()
		p.Done(breaker.Failure)
		p, _ = br.Allow()
		p.Done(breaker.Success)
	}
}
