package limiter_test

import (
	"runtime"
	"testing"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

// TestAdaptiveRateUnthrottledIsSmall checks that an AdaptiveRate that was
// never throttled, the state transport keeps for each new host, costs
// only its measurement (issue 18.6): its bucket, its waiters and its
// curve are made by the first throttle. Holding them from the start, one
// took 416 bytes; without them, 256. A throttle then cuts as before.
func TestAdaptiveRateUnthrottledIsSmall(t *testing.T) {
	const n = 1000
	rates := make([]*limiter.AdaptiveRate, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range rates {
		a, err := limiter.NewAdaptiveRate(limiter.AdaptiveRateConfig{KeepServed: true, Name: "h.example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Allow(); err != nil {
			t.Fatal(err)
		}
		a.Succeeded()
		rates[i] = a
	}
	runtime.ReadMemStats(&after)
	const limit = 320
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > limit {
		t.Errorf("a new AdaptiveRate allocated %d bytes, want at most %d", per, limit)
	}
	a := rates[0]
	if s := a.Stats(); s.Limit != rate.Inf || s.Allowed != 1 || s.Cuts != 0 || s.Rejected != 0 || !s.LastCut.IsZero() || s.Wmax != 0 {
		t.Fatalf("before a throttle: %+v", s)
	}
	a.Forget() // nothing to forget: no limit is made
	a.Throttled()
	if s := a.Stats(); s.Limit == rate.Inf || s.Cuts != 1 || s.Throttles != 1 || s.LastCut.IsZero() {
		t.Fatalf("after a throttle: %+v, want a cut to a finite rate", s)
	}
}
