package limiter_test

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

// round admits n calls at once, lets rtt pass on clk, and reports every
// call done with outcome o.
func round(t *testing.T, x *limiter.Concurrency, clk *clock, n int, rtt time.Duration, o limiter.Outcome) {
	t.Helper()
	toks := make([]limiter.Token, n)
	for i := range toks {
		toks[i] = mustAcquire(t, x)
	}
	clk.Advance(rtt)
	for _, tok := range toks {
		tok.Done(o)
	}
}

// untilChange runs rounds of Limit() calls (or of n calls, if n > 0)
// taking rtt each, until the limit changes or 1000 rounds have run, and
// returns the new limit.
func untilChange(t *testing.T, x *limiter.Concurrency, clk *clock, n int, rtt time.Duration, o limiter.Outcome) int {
	t.Helper()
	old := x.Limit()
	for range 1000 {
		calls := n
		if calls == 0 {
			calls = x.Limit()
		}
		round(t, x, clk, calls, rtt, o)
		if x.Limit() != old {
			return x.Limit()
		}
	}
	return old
}

// next is the Gradient formula: ⌊g·l + √(g·l)⌋.
func next(l int, g float64) int {
	x := g * float64(l)
	return int(x + math.Sqrt(x))
}

// changes records the calls of OnLimitChange.
type changes struct {
	mu sync.Mutex
	l  [][2]int
}

func (c *changes) record(old, new int) {
	c.mu.Lock()
	c.l = append(c.l, [2]int{old, new})
	c.mu.Unlock()
}

func (c *changes) get() [][2]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.l)
}

// newGradient returns a Gradient Concurrency on clk, without jitter, with
// its first minRTT measurement done at minRTT (so its limit is c.Limit).
func newGradient(t *testing.T, clk *clock, c limiter.ConcurrencyConfig, minRTT time.Duration) *limiter.Concurrency {
	t.Helper()
	c.Algorithm, c.Rand = limiter.Gradient, zeroRand
	c = limiter.ConcurrencyWithClock(c, clk.Now)
	x := mustConcurrency(t, c)
	pin := x.Limit()
	for range 1000 {
		round(t, x, clk, pin, minRTT, limiter.Success)
		if x.Limit() != pin {
			return x
		}
	}
	t.Fatal("the minRTT measurement never ended")
	return nil
}

func TestGradientMeasuresMinRTTFirst(t *testing.T) {
	clk := newClock()
	var ch changes
	x := mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{Algorithm: limiter.Gradient, Rand: zeroRand, OnLimitChange: ch.record}, clk.Now))
	if x.Limit() != 3 {
		t.Fatalf("initial Limit = %d, want 3 (the minRTT measurement's)", x.Limit())
	}
	// 50 successes end it: 16 rounds of 3 are not enough, the 17th is.
	for range 16 {
		round(t, x, clk, 3, 10*time.Millisecond, limiter.Success)
	}
	// Drops and ignored calls do not count.
	round(t, x, clk, 3, 10*time.Millisecond, limiter.Dropped)
	round(t, x, clk, 3, 10*time.Millisecond, limiter.Ignored)
	if x.Limit() != 3 {
		t.Fatalf("Limit = %d after 48 samples, want still 3", x.Limit())
	}
	round(t, x, clk, 3, 10*time.Millisecond, limiter.Success)
	if x.Limit() != 20 {
		t.Fatalf("Limit = %d after the measurement, want the initial 20", x.Limit())
	}
	if got := ch.get(); !slices.Equal(got, [][2]int{{3, 20}}) {
		t.Fatalf("OnLimitChange calls = %v, want [[3 20]]", got)
	}
}

// The tests below drive the limit with rounds of calls of equal latency.
// An interval ends at the first Done after it, so the calls of its last
// round done after that one count in the next interval: after a change of
// latency, the first interval mixes both.

func TestGradientGrowsWhenRTTFlat(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{}, 10*time.Millisecond)
	// gradient = 10ms·1.25/10ms = 1.25: 20 → ⌊25 + √25⌋ = 30 → 43 → 61.
	for _, want := range []int{30, 43, 61} {
		if got := untilChange(t, x, clk, 0, 10*time.Millisecond, limiter.Success); got != want {
			t.Fatalf("Limit = %d, want %d", got, want)
		}
	}
	// Within the buffer (latency up to 1.25·minRTT), it still grows.
	untilChange(t, x, clk, 0, 12500*time.Microsecond, limiter.Success)
	prev := x.Limit()
	if got, want := untilChange(t, x, clk, 0, 12500*time.Microsecond, limiter.Success), next(prev, 1); got != want || got <= prev {
		t.Fatalf("Limit = %d, want %d (gradient 1)", got, want)
	}
}

func TestGradientShrinksWhenRTTRises(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{}, 10*time.Millisecond)
	// 2× the minRTT: gradient 0.625: 20 → ⌊12.5 + √12.5⌋ = 16.
	if got := untilChange(t, x, clk, 0, 20*time.Millisecond, limiter.Success); got != 16 {
		t.Fatalf("Limit = %d, want 16", got)
	}
	// 10×: it shrinks, by half at most (the gradient is clamped at 0.5):
	// 16 → 13 (an interval that mixes 20ms and 100ms) → ⌊6.5 + √6.5⌋ = 9.
	if got := untilChange(t, x, clk, 0, 100*time.Millisecond, limiter.Success); got >= 16 || got < next(16, 0.5) {
		t.Fatalf("Limit = %d, want in [%d, 16)", got, next(16, 0.5))
	}
	prev := x.Limit()
	if got := untilChange(t, x, clk, 0, 100*time.Millisecond, limiter.Success); got != next(prev, 0.5) {
		t.Fatalf("Limit = %d, want %d", got, next(prev, 0.5))
	}
}

func TestGradientShrinksOnDrops(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{}, 10*time.Millisecond)
	// Flat latency would grow it to 30, but a drop in the interval caps it
	// at ⌊20·0.9⌋ = 18.
	for range 9 {
		round(t, x, clk, 20, 10*time.Millisecond, limiter.Success)
	}
	round(t, x, clk, 1, 10*time.Millisecond, limiter.Dropped) // ends the interval
	if got := x.Limit(); got != 18 {
		t.Fatalf("Limit = %d, want 18", got)
	}
	// An interval of drops only.
	if got := untilChange(t, x, clk, 0, 10*time.Millisecond, limiter.Dropped); got != 16 {
		t.Fatalf("Limit = %d, want ⌊18·0.9⌋ = 16", got)
	}
}

func TestGradientBounds(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{MinLimit: 5, MaxLimit: 35}, 10*time.Millisecond)
	// (Before MinRTTInterval passes: a new minRTT would make 1s flat.)
	for i := 0; i < 5 && x.Limit() < 35; i++ {
		untilChange(t, x, clk, 0, 10*time.Millisecond, limiter.Success)
	}
	if got := x.Limit(); got != 35 {
		t.Fatalf("Limit = %d, want MaxLimit 35", got)
	}
	for i := 0; i < 10 && x.Limit() > 5; i++ {
		untilChange(t, x, clk, 0, time.Second, limiter.Success)
	}
	if got := x.Limit(); got != 5 {
		t.Fatalf("Limit = %d, want MinLimit 5", got)
	}
}

// Calls that take no measurable time (a cache, a synctest bubble) count
// as fast: the gradient is at its maximum, 2.
func TestGradientZeroLatency(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{}, 0)
	for range 10 {
		round(t, x, clk, 20, 0, limiter.Success)
	}
	clk.Advance(100 * time.Millisecond)
	round(t, x, clk, 20, 0, limiter.Success)
	if got, want := x.Limit(), next(20, 2); got != want {
		t.Fatalf("Limit = %d, want %d", got, want)
	}
}

// While fewer than half the limit are in flight, flat latency does not
// grow the limit (there is no evidence more would do), but rising latency
// still shrinks it.
func TestGradientAppLimited(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{}, 10*time.Millisecond)
	for range 100 {
		round(t, x, clk, 9, 10*time.Millisecond, limiter.Success)
	}
	if got := x.Limit(); got != 20 {
		t.Fatalf("Limit = %d with 9 in flight, want 20 unchanged", got)
	}
	if got := untilChange(t, x, clk, 9, 20*time.Millisecond, limiter.Success); got != 16 {
		t.Fatalf("Limit = %d, want 16", got)
	}
}

// minRTT is measured again after MinRTTInterval; calls admitted before
// the measurement began are not sampled.
func TestGradientRemeasuresMinRTT(t *testing.T) {
	clk := newClock()
	var ch changes
	x := newGradient(t, clk, limiter.ConcurrencyConfig{OnLimitChange: ch.record}, 10*time.Millisecond)
	old := x.Limit()
	stale := mustAcquire(t, x)
	clk.Advance(time.Minute)
	round(t, x, clk, 1, 0, limiter.Success) // the first Done after the interval starts it
	if got := x.Limit(); got != 3 {
		t.Fatalf("Limit = %d after MinRTTInterval, want 3 (measuring)", got)
	}
	for range 49 {
		round(t, x, clk, 1, 40*time.Millisecond, limiter.Success)
	}
	stale.Done(limiter.Success) // admitted before: not the 50th sample
	if got := x.Limit(); got != 3 {
		t.Fatalf("Limit = %d, want 3: a call admitted before the measurement was sampled", got)
	}
	round(t, x, clk, 1, 40*time.Millisecond, limiter.Success)
	if got := x.Limit(); got != old {
		t.Fatalf("Limit = %d after the measurement, want %d restored", got, old)
	}
	// The new minRTT is 40ms: 40ms calls are flat now.
	if got := untilChange(t, x, clk, 0, 40*time.Millisecond, limiter.Success); got <= old {
		t.Fatalf("Limit = %d, want it to grow from %d at the new minRTT", got, old)
	}
	if got := ch.get(); len(got) != 4 || got[0] != [2]int{3, 20} || got[1] != [2]int{20, 3} || got[2] != [2]int{3, 20} {
		t.Fatalf("OnLimitChange calls = %v, want [[3 20] [20 3] [3 20] [20 30]]", got)
	}
}

// Five intervals in a row at MinLimit start a new minRTT measurement: the
// old minRTT is probably stale.
func TestGradientRemeasuresAtMinLimit(t *testing.T) {
	clk := newClock()
	x := newGradient(t, clk, limiter.ConcurrencyConfig{Limit: 4, MinLimit: 3}, 10*time.Millisecond)
	// The destination got 100× slower for good: the limit drops to
	// MinLimit (3, also the MinRTTLimit), stays there five intervals,
	// then minRTT is measured again (1s), and 1s calls are flat: it grows.
	for range 40 {
		round(t, x, clk, 3, time.Second, limiter.Success)
	}
	if got := x.Limit(); got <= 3 {
		t.Fatalf("Limit = %d, want growth after minRTT was measured again", got)
	}
}

func TestAIMDGrowsByOnePerWindow(t *testing.T) {
	clk := newClock()
	var ch changes
	x := mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, OnLimitChange: ch.record}, clk.Now))
	// A round of 20 has 11 calls admitted with at least 10 in flight: two
	// rounds make the 20 successes of a window.
	round(t, x, clk, 20, time.Millisecond, limiter.Success)
	if x.Limit() != 20 {
		t.Fatalf("Limit = %d after 11 successes, want 20", x.Limit())
	}
	round(t, x, clk, 20, time.Millisecond, limiter.Success)
	if x.Limit() != 21 {
		t.Fatalf("Limit = %d after a window of successes, want 21", x.Limit())
	}
	// App-limited: calls admitted with fewer than half the limit in flight
	// do not count.
	for range 100 {
		round(t, x, clk, 10, time.Millisecond, limiter.Success)
	}
	if x.Limit() != 21 {
		t.Fatalf("Limit = %d while app-limited, want 21", x.Limit())
	}
	if got := ch.get(); !slices.Equal(got, [][2]int{{20, 21}}) {
		t.Fatalf("OnLimitChange calls = %v, want [[20 21]]", got)
	}
}

func TestAIMDBacksOffOncePerWindow(t *testing.T) {
	clk := newClock()
	x := mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{Algorithm: limiter.AIMD}, clk.Now))
	// 20 calls dropped together back off once: ⌊20·0.9⌋ = 18.
	round(t, x, clk, 20, time.Millisecond, limiter.Dropped)
	if x.Limit() != 18 {
		t.Fatalf("Limit = %d, want 18", x.Limit())
	}
	// Calls admitted after the decrease can decrease it again.
	round(t, x, clk, 18, time.Millisecond, limiter.Dropped)
	if x.Limit() != 16 {
		t.Fatalf("Limit = %d, want ⌊18·0.9⌋ = 16", x.Limit())
	}
	// Ignored calls say nothing.
	round(t, x, clk, 16, time.Millisecond, limiter.Ignored)
	if x.Limit() != 16 {
		t.Fatalf("Limit = %d after ignored calls, want 16", x.Limit())
	}
	// Small limits drop by one at least.
	y := mustConcurrency(t, limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, Limit: 5})
	round(t, y, clk, 1, 0, limiter.Dropped)
	if y.Limit() != 4 {
		t.Fatalf("Limit = %d, want 4 (⌊5·0.9⌋ = 4)", y.Limit())
	}
	round(t, y, clk, 1, 0, limiter.Dropped)
	if y.Limit() != 3 {
		t.Fatalf("Limit = %d, want 3 (at least one less)", y.Limit())
	}
}

func TestAIMDTimeout(t *testing.T) {
	clk := newClock()
	x := mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, AIMD: limiter.AIMDConfig{Timeout: time.Second}}, clk.Now))
	round(t, x, clk, 20, 999*time.Millisecond, limiter.Success)
	round(t, x, clk, 20, 999*time.Millisecond, limiter.Success)
	if x.Limit() != 21 {
		t.Fatalf("Limit = %d, want 21", x.Limit())
	}
	round(t, x, clk, 20, time.Second, limiter.Success)
	if x.Limit() != 18 {
		t.Fatalf("Limit = %d after calls that took Timeout, want ⌊21·0.9⌋ = 18", x.Limit())
	}
}

func TestAIMDBounds(t *testing.T) {
	clk := newClock()
	x := mustConcurrency(t, limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, Limit: 10, MinLimit: 8, MaxLimit: 11})
	for range 100 {
		round(t, x, clk, x.Limit(), 0, limiter.Success)
	}
	if x.Limit() != 11 {
		t.Fatalf("Limit = %d, want MaxLimit 11", x.Limit())
	}
	for range 10 {
		round(t, x, clk, 1, 0, limiter.Dropped)
	}
	if x.Limit() != 8 {
		t.Fatalf("Limit = %d, want MinLimit 8", x.Limit())
	}
}

// AIMD without a Timeout never reads the clock.
func TestAIMDNoClock(t *testing.T) {
	reads := 0
	x := mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{Algorithm: limiter.AIMD}, func() time.Time { reads++; return time.Time{} }))
	reads = 0
	for range 100 {
		tok := mustAcquire(t, x)
		tok.Done(limiter.Success)
		tok = mustAcquire(t, x)
		tok.Done(limiter.Dropped)
	}
	if reads != 0 {
		t.Fatalf("AIMD without Timeout read the clock %d times", reads)
	}
}

// OnLimitChange may call back into the Concurrency, even change its limit
// again: it is called outside the lock, the change is delivered after it
// returns, and the chain of (old, new) pairs stays consistent.
func TestOnLimitChangeReentrant(t *testing.T) {
	clk := newClock()
	var x *limiter.Concurrency
	var calls [][2]int
	depth := 0
	x = mustConcurrency(t, limiter.ConcurrencyWithClock(limiter.ConcurrencyConfig{
		Algorithm: limiter.AIMD,
		OnLimitChange: func(old, new int) {
			depth++
			defer func() { depth-- }()
			if depth > 1 {
				t.Error("OnLimitChange called while it ran")
			}
			calls = append(calls, [2]int{old, new})
			if x.Limit() != new {
				t.Errorf("Limit() = %d in OnLimitChange(%d, %d)", x.Limit(), old, new)
			}
			if len(calls) == 1 {
				tok := mustAcquire(t, x) // admitted after the decrease
				tok.Done(limiter.Dropped)
			}
		},
	}, clk.Now))
	round(t, x, clk, 1, 0, limiter.Dropped)
	if want := [][2]int{{20, 18}, {18, 16}}; !slices.Equal(calls, want) {
		t.Fatalf("OnLimitChange calls = %v, want %v", calls, want)
	}
	if x.Limit() != 16 {
		t.Fatalf("Limit = %d, want 16", x.Limit())
	}
}

// Concurrent changes are delivered one at a time, each old the previous
// new, and the last one is the final limit.
func TestOnLimitChangeConcurrent(t *testing.T) {
	var mu sync.Mutex
	var calls [][2]int
	running := 0
	x := mustConcurrency(t, limiter.ConcurrencyConfig{
		Algorithm: limiter.AIMD, Limit: 500,
		OnLimitChange: func(old, new int) {
			mu.Lock()
			running++
			if running > 1 {
				t.Error("OnLimitChange called concurrently")
			}
			calls = append(calls, [2]int{old, new})
			mu.Unlock()
			time.Sleep(time.Microsecond)
			mu.Lock()
			running--
			mu.Unlock()
		},
	})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				tok, err := x.Acquire()
				if err != nil {
					continue
				}
				if (g+i)%7 == 0 {
					tok.Done(limiter.Dropped)
				} else {
					tok.Done(limiter.Success)
				}
			}
		})
	}
	wg.Wait()
	if len(calls) == 0 {
		t.Fatal("no OnLimitChange call")
	}
	prev := 500
	for _, c := range calls {
		if c[0] != prev {
			t.Fatalf("OnLimitChange(%d, %d) after a call that set %d", c[0], c[1], prev)
		}
		prev = c[1]
	}
	if prev != x.Limit() {
		t.Fatalf("last OnLimitChange set %d, Limit() = %d", prev, x.Limit())
	}
	t.Logf("%d OnLimitChange calls, final limit %d", len(calls), x.Limit())
}
