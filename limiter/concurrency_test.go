package limiter_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

func mustAcquire(t testing.TB, x *limiter.Concurrency) limiter.Token {
	t.Helper()
	tok, err := x.Acquire()
	if err != nil {
		t.Fatalf("Acquire with %d in flight (limit %d): %v", x.InFlight(), x.Limit(), err)
	}
	return tok
}

func TestFixedLimit(t *testing.T) {
	reads := 0
	x := mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{Limit: 3}, func() time.Time { reads++; return time.Time{} }))
	reads = 0
	toks := []limiter.Token{mustAcquire(t, x), mustAcquire(t, x), mustAcquire(t, x)}
	tok, err := x.Acquire()
	if !errors.Is(err, limiter.ErrLimited) || err.Error() != "limiter: limited: concurrency limit 3 reached" {
		t.Fatalf("Acquire past the limit = %v, want ErrLimited saying the limit", err)
	}
	tok.Done(limiter.Success) // the zero Token: no effect
	if n := x.InFlight(); n != 3 {
		t.Fatalf("InFlight = %d, want 3", n)
	}
	toks[0].Done(limiter.Dropped)
	toks = append(toks[1:], mustAcquire(t, x))
	for _, tok := range toks {
		tok.Done(limiter.Success)
	}
	if n, l := x.InFlight(), x.Limit(); n != 0 || l != 3 {
		t.Fatalf("InFlight, Limit = %d, %d, want 0, 3", n, l)
	}
	if reads != 0 {
		t.Fatalf("a Fixed Concurrency read the clock %d times", reads)
	}
}

func TestFixedDefaultLimit(t *testing.T) {
	x := mustConcurrency(t, limiter.ConcurrencyConfig{})
	if x.Limit() != 20 {
		t.Fatalf("default Limit = %d, want 20", x.Limit())
	}
}

func TestFixedAllocs(t *testing.T) {
	x := mustConcurrency(t, limiter.ConcurrencyConfig{})
	if n := testing.AllocsPerRun(100, func() {
		tok, _ := x.Acquire()
		tok.Done(limiter.Success)
	}); n != 0 {
		t.Fatalf("Acquire+Done: %v allocs, want 0", n)
	}
}

func TestAdaptiveAllocs(t *testing.T) {
	for _, alg := range []limiter.Algorithm{limiter.Gradient, limiter.AIMD} {
		x := mustConcurrency(t, limiter.ConcurrencyConfig{Algorithm: alg, AIMD: limiter.AIMDConfig{Timeout: time.Hour}})
		if n := testing.AllocsPerRun(1000, func() {
			tok, _ := x.Acquire()
			tok.Done(limiter.Success)
		}); n != 0 {
			t.Errorf("%v Acquire+Done(Success): %v allocs, want 0", alg, n)
		}
	}
}

// Under contention the limit is never exceeded, and every slot comes back.
func TestConcurrencyContended(t *testing.T) {
	for _, alg := range []limiter.Algorithm{limiter.Fixed, limiter.Gradient, limiter.AIMD} {
		t.Run(alg.String(), func(t *testing.T) {
			var maxSeen, limitSeen atomic.Int64
			x := mustConcurrency(t, limiter.ConcurrencyConfig{
				Algorithm: alg, Limit: 4,
				Gradient: limiter.GradientConfig{MinRTTSamples: 10, Interval: time.Microsecond},
			})
			var cur atomic.Int64
			var wg sync.WaitGroup
			for g := range 16 {
				wg.Go(func() {
					for i := range 2000 {
						tok, err := x.Acquire()
						if err != nil {
							continue
						}
						lim := int64(x.Limit())
						n := cur.Add(1)
						for m := maxSeen.Load(); n > m && !maxSeen.CompareAndSwap(m, n); m = maxSeen.Load() {
						}
						for m := limitSeen.Load(); lim > m && !limitSeen.CompareAndSwap(m, lim); m = limitSeen.Load() {
						}
						cur.Add(-1)
						tok.Done(limiter.Outcome((g + i) % 3))
					}
				})
			}
			wg.Wait()
			if x.InFlight() != 0 {
				t.Fatalf("InFlight = %d after all calls, want 0", x.InFlight())
			}
			if alg == limiter.Fixed && maxSeen.Load() > 4 {
				t.Fatalf("%d calls in flight at once, limit 4", maxSeen.Load())
			}
			t.Logf("max in flight %d, max limit seen %d, final limit %d", maxSeen.Load(), limitSeen.Load(), x.Limit())
		})
	}
}

func TestConcurrencyConfig(t *testing.T) {
	for _, tc := range []struct {
		c    limiter.ConcurrencyConfig
		want string
	}{
		{limiter.ConcurrencyConfig{Algorithm: 9}, "Algorithm algorithm(9) is not defined"},
		{limiter.ConcurrencyConfig{Limit: -1}, "Limit -1 is negative"},
		{limiter.ConcurrencyConfig{MinLimit: -1}, "MinLimit -1 is negative"},
		{limiter.ConcurrencyConfig{MaxLimit: -1}, "MaxLimit -1 is negative"},
		{limiter.ConcurrencyConfig{MinLimit: 5, MaxLimit: 4}, "MinLimit 5 is above MaxLimit 4"},
		{limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, Limit: 2000}, "Limit 2000 is outside [MinLimit 1, MaxLimit 1000]"},
		{limiter.ConcurrencyConfig{BackoffRatio: 0.4}, "BackoffRatio 0.4 is outside [0.5, 1)"},
		{limiter.ConcurrencyConfig{BackoffRatio: 1}, "BackoffRatio 1 is outside [0.5, 1)"},
		{limiter.ConcurrencyConfig{Gradient: limiter.GradientConfig{Interval: -1}}, "Gradient.Interval -1ns is negative"},
		{limiter.ConcurrencyConfig{Gradient: limiter.GradientConfig{Percentile: 1.5}}, "Gradient.Percentile 1.5 is outside (0, 1]"},
		{limiter.ConcurrencyConfig{Gradient: limiter.GradientConfig{Buffer: -0.1}}, "Gradient.Buffer -0.1 must be a non-negative number"},
		{limiter.ConcurrencyConfig{Gradient: limiter.GradientConfig{MinRTTInterval: -1}}, "Gradient.MinRTTInterval -1ns is negative"},
		{limiter.ConcurrencyConfig{Gradient: limiter.GradientConfig{MinRTTSamples: -1}}, "Gradient.MinRTTSamples -1 is negative"},
		{limiter.ConcurrencyConfig{Gradient: limiter.GradientConfig{MinRTTLimit: -1}}, "Gradient.MinRTTLimit -1 is negative"},
		{limiter.ConcurrencyConfig{MinLimit: 5, Gradient: limiter.GradientConfig{MinRTTLimit: 4}}, "Gradient.MinRTTLimit 4 is outside [MinLimit 5, MaxLimit 1000]"},
		{limiter.ConcurrencyConfig{AIMD: limiter.AIMDConfig{Timeout: -1}}, "AIMD.Timeout -1ns is negative"},
	} {
		_, err := limiter.NewConcurrency(tc.c)
		if !errors.Is(err, limiter.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewConcurrency(%+v) = %v, want ErrInvalidConfig saying %q", tc.c, err, tc.want)
		}
	}
	// Defaults are brought within the bounds; a Fixed limit ignores them.
	for _, tc := range []struct {
		c    limiter.ConcurrencyConfig
		want int
	}{
		{limiter.ConcurrencyConfig{Algorithm: limiter.AIMD}, 20},
		{limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, MaxLimit: 8}, 8},
		{limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, MinLimit: 30}, 30},
		{limiter.ConcurrencyConfig{Limit: 2000}, 2000},
		{limiter.ConcurrencyConfig{Algorithm: limiter.Gradient, MaxLimit: 2}, 2}, // MinRTTLimit 3 → 2
	} {
		x := mustConcurrency(t, tc.c)
		if x.Limit() != tc.want {
			t.Errorf("NewConcurrency(%+v).Limit() = %d, want %d", tc.c, x.Limit(), tc.want)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{limiter.Fixed.String(), "fixed"},
		{limiter.Gradient.String(), "gradient"},
		{limiter.AIMD.String(), "aimd"},
		{limiter.Algorithm(7).String(), "algorithm(7)"},
		{limiter.Success.String(), "success"},
		{limiter.Dropped.String(), "dropped"},
		{limiter.Ignored.String(), "ignored"},
		{limiter.Outcome(7).String(), "outcome(7)"},
	} {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
}
