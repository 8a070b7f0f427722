package limiter_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

func mustAdaptiveRate(t testing.TB, c limiter.AdaptiveRateConfig) *limiter.AdaptiveRate {
	t.Helper()
	a, err := limiter.NewAdaptiveRate(c)
	if err != nil {
		t.Fatalf("NewAdaptiveRate(%+v): %v", c, err)
	}
	return a
}

// report feeds a n successes, one every gap of the clock.
func report(a *limiter.AdaptiveRate, c *clock, n int, gap time.Duration) {
	for range n {
		c.Advance(gap)
		a.Succeeded()
	}
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want)) }

// TestAdaptiveRateCubicCurve checks the curve against its formula: a
// throttle after a steady 200 calls per second cuts the rate to β·200 =
// 140 and sets Wmax = 200; the rate then follows 0.4·(t−K)³ + 200 with
// K = ∛(200·0.3/0.4) = ∛150, reaches 200 at K and grows past it.
func TestAdaptiveRateCubicCurve(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{}, c.Now))
	if l := a.Limit(); l != rate.Inf {
		t.Fatalf("Limit before any throttle = %v, want Inf", l)
	}
	report(a, c, 400, 5*time.Millisecond) // 200/s for 2 s: four full windows
	if l := a.Limit(); l != rate.Inf {
		t.Fatalf("Limit after successes only = %v, want Inf", l)
	}
	c.Advance(5 * time.Millisecond)
	a.Throttled()
	cut := c.Now()
	s := a.Stats()
	if !near(s.Measured, 200) || !near(s.Wmax, 200) || !near(float64(s.Limit), 140) || !s.LastCut.Equal(cut) {
		t.Fatalf("after the throttle: %+v, want Measured 200, Wmax 200, Limit 140, LastCut %v", s, cut)
	}
	k := math.Cbrt(150)
	curve := func(t float64) float64 { return 0.4*math.Pow(t-k, 3) + 200 }
	// Keep reporting 200/s, so that the 2×measured cap (400) stays out
	// of the way, and read the rate at chosen points of the curve.
	for _, at := range []float64{0.25, 1, 2.5, k, k + 1, k + 2.5} {
		d := time.Duration(at*float64(time.Second)) - c.Now().Sub(cut)
		if d > 5*time.Millisecond {
			report(a, c, int(d/(5*time.Millisecond))-1, 5*time.Millisecond)
		}
		c.Advance(cut.Add(time.Duration(at * float64(time.Second))).Sub(c.Now()))
		a.Succeeded()
		if got := float64(a.Limit()); !near(got, curve(at)) {
			t.Errorf("rate %.3fs after the cut = %.4f, want %.4f", at, got, curve(at))
		}
	}
	if got := float64(a.Limit()); got <= 200 {
		t.Errorf("rate %.1fs after the cut = %.1f, want above Wmax 200", k+2.5, got)
	}
}

// TestAdaptiveRateHold: throttles within Hold of a cut answer calls sent
// before it and do not cut again; the next one after Hold cuts from the
// current rate (below the measured one).
func TestAdaptiveRateHold(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{Hold: time.Second}, c.Now))
	report(a, c, 400, 5*time.Millisecond)
	a.Throttled()
	for range 50 {
		c.Advance(10 * time.Millisecond)
		a.Throttled() // 500 ms of 429s: answers to calls sent before the cut
	}
	s := a.Stats()
	if s.Throttles != 51 || s.Cuts != 1 {
		t.Fatalf("Throttles %d, Cuts %d, want 51 and 1", s.Throttles, s.Cuts)
	}
	if !near(float64(s.Limit), 140) {
		t.Fatalf("Limit %v after throttles within Hold, want 140", s.Limit)
	}
	c.Advance(time.Second)
	a.Throttled()
	s = a.Stats()
	// The cut is from the lower of the rate (140: no success moved it up
	// the curve) and the measured send rate (which fell in the quiet
	// second).
	if w := min(s.Measured, 140); s.Cuts != 2 || !near(s.Wmax, w) || !near(float64(s.Limit), 0.7*w) {
		t.Fatalf("second cut: %+v, want Cuts 2, Wmax %v, Limit %v", s, w, 0.7*w)
	}
}

// TestAdaptiveRateFloor: however many throttles, the rate stays at
// MinRate or above, and Allow still lets calls through at that rate.
func TestAdaptiveRateFloor(t *testing.T) {
	for _, tc := range []struct {
		min  rate.Limit
		want float64
	}{{0, 0.5}, {2, 2}} {
		c := newClock()
		a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{MinRate: tc.min}, c.Now))
		report(a, c, 100, 10*time.Millisecond)
		for range 40 {
			c.Advance(time.Second)
			a.Throttled()
		}
		if got := float64(a.Limit()); !near(got, tc.want) {
			t.Errorf("MinRate %v: rate after 40 throttles = %v, want %v", tc.min, got, tc.want)
		}
		c.Advance(10 * time.Second)
		if err := a.Allow(); err != nil {
			t.Errorf("MinRate %v: Allow at the floor after 10 s: %v", tc.min, err)
		}
	}
}

// TestAdaptiveRateCeiling: with MaxRate the rate starts there (Allow
// refuses past a burst of MaxRate), and grows back no higher.
func TestAdaptiveRateCeiling(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{MaxRate: 50}, c.Now))
	if l := a.Limit(); l != 50 {
		t.Fatalf("Limit = %v, want MaxRate 50", l)
	}
	allowed := 0
	for range 100 {
		if a.Allow() == nil {
			allowed++
		}
	}
	if allowed != 50 {
		t.Fatalf("%d of 100 calls at one instant allowed, want the burst of 50", allowed)
	}
	report(a, c, 200, 10*time.Millisecond) // 100/s reported
	a.Throttled()                          // cut from min(measured 100, rate 50)
	if got := float64(a.Limit()); !near(got, 35) {
		t.Fatalf("rate after the throttle = %v, want 0.7 × 50", got)
	}
	report(a, c, 3000, 10*time.Millisecond) // 30 s: far past K
	if l := a.Limit(); l != 50 {
		t.Fatalf("rate 30 s after the cut = %v, want the ceiling 50", l)
	}
}

// TestAdaptiveRateUnlimited: with no MaxRate nothing is refused until the
// first throttle, and then the rate applies.
func TestAdaptiveRateUnlimited(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{Name: "api.test"}, c.Now))
	for i := range 10000 {
		if err := a.Allow(); err != nil {
			t.Fatalf("call %d refused before any throttle: %v", i, err)
		}
	}
	report(a, c, 100, 10*time.Millisecond) // 100/s
	a.Throttled()                          // 70/s, bursts of 70, from empty
	if err := a.Allow(); err == nil {
		t.Fatal("a call allowed at the instant of the cut: the bucket should start empty")
	}
	c.Advance(time.Second)
	allowed, lastErr := 0, error(nil)
	for range 100 {
		if err := a.Allow(); err != nil {
			lastErr = err
		} else {
			allowed++
		}
	}
	if allowed != 70 {
		t.Errorf("%d of 100 calls at one instant allowed a second after the cut, want the burst of 70", allowed)
	}
	if !errors.Is(lastErr, limiter.ErrLimited) || errors.Is(lastErr, context.DeadlineExceeded) {
		t.Fatalf("rejection %v: want ErrLimited only", lastErr)
	}
	if msg := lastErr.Error(); msg != `limiter: limited: key "api.test": adaptive rate 70/s (burst 70) reached, set by server throttling` {
		t.Errorf("rejection message %q", msg)
	}
	if s := a.Stats(); s.Allowed != 10070 || s.Rejected != 31 {
		t.Errorf("Allowed %d, Rejected %d, want 10070 and 31", s.Allowed, s.Rejected)
	}
}

// TestAdaptiveRateFollowsSendRate: after a throttle, the rate does not
// grow beyond twice the measured send rate, however long the callers send
// little.
func TestAdaptiveRateFollowsSendRate(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{}, c.Now))
	report(a, c, 200, 10*time.Millisecond) // 100/s
	a.Throttled()
	report(a, c, 60, time.Second) // then 1/s for a minute
	s := a.Stats()
	if !near(s.Measured, 1) || !near(float64(s.Limit), 2) {
		t.Fatalf("after a minute at 1/s: Measured %v, Limit %v, want 1 and 2", s.Measured, s.Limit)
	}
}

// TestAdaptiveRateFirstWindow: a throttle before the first window closes
// cuts from the rate seen so far, not from zero.
func TestAdaptiveRateFirstWindow(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{}, c.Now))
	a.Succeeded()
	report(a, c, 39, 5*time.Millisecond) // 40 calls over 195 ms
	c.Advance(5 * time.Millisecond)
	a.Throttled() // the 41st, 200 ms after the first: 205/s
	if got, want := float64(a.Limit()), 0.7*41/0.2; !near(got, want) {
		t.Fatalf("rate = %v, want 0.7 × 41 / 200ms = %v", got, want)
	}
}

// TestAdaptiveRateWait: Wait waits for the adaptive rate's token, fails at
// once when the wait would pass the deadline, and gives up with the
// context's error when it ends.
func TestAdaptiveRateWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := mustAdaptiveRate(t, limiter.AdaptiveRateConfig{MaxRate: 10, Burst: 1})
		ctx := context.Background()
		if err := a.Wait(ctx); err != nil {
			t.Fatalf("first Wait: %v", err)
		}
		start := time.Now()
		if err := a.Wait(ctx); err != nil {
			t.Fatalf("second Wait: %v", err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("second Wait took %v, want 100ms at 10/s", d)
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		err := a.Wait(short)
		if !errors.Is(err, limiter.ErrLimited) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait past the deadline: %v, want ErrLimited and DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "would pass the context deadline") {
			t.Errorf("Wait past the deadline: message %q", err)
		}
		if time.Since(start) != 100*time.Millisecond {
			t.Errorf("Wait past the deadline waited")
		}
		cctx, cancelNow := context.WithCancel(ctx)
		time.AfterFunc(30*time.Millisecond, cancelNow)
		err = a.Wait(cctx)
		if !errors.Is(err, context.Canceled) || errors.Is(err, limiter.ErrLimited) {
			t.Errorf("Wait canceled: %v, want context.Canceled, not ErrLimited", err)
		}
		// The canceled token was given back: the next call waits 100ms
		// from the last grant, not 200ms.
		if err := a.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 200*time.Millisecond {
			t.Errorf("Wait after a canceled one ended at %v, want 200ms", d)
		}
		if s := a.Stats(); s.Allowed != 3 || s.Rejected != 1 || s.Waited != 3 || s.Canceled != 1 {
			t.Errorf("stats %+v, want Allowed 3, Rejected 1, Waited 3 (incl. canceled), Canceled 1", s)
		}
	})
}

// TestAdaptiveRateConcurrent runs Allow, Wait, Throttled, Succeeded and
// Stats from many goroutines (for the race detector) and checks that
// every call was counted once.
func TestAdaptiveRateConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := mustAdaptiveRate(t, limiter.AdaptiveRateConfig{})
		const workers, calls = 8, 500
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range calls {
					var err error
					if w%2 == 0 {
						err = a.Allow()
					} else {
						ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
						err = a.Wait(ctx)
						cancel()
					}
					if err == nil && i%10 == 0 {
						a.Throttled()
					} else {
						a.Succeeded()
					}
					if i%50 == 0 {
						_ = a.Stats()
						_ = a.Limit()
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
		wg.Wait()
		s := a.Stats()
		if got := s.Allowed + s.Rejected + s.Canceled; got != workers*calls {
			t.Errorf("Allowed %d + Rejected %d + Canceled %d = %d, want %d", s.Allowed, s.Rejected, s.Canceled, got, workers*calls)
		}
		if s.Cuts == 0 || s.Rejected == 0 {
			t.Errorf("stats %+v: want some cuts and some rejections", s)
		}
		if l := s.Limit; l < 0.5 || l == rate.Inf {
			t.Errorf("Limit %v out of [MinRate, finite]", l)
		}
	})
}

func TestAdaptiveRateConfigErrors(t *testing.T) {
	nan := math.NaN()
	for _, c := range []limiter.AdaptiveRateConfig{
		{MaxRate: -1},
		{MaxRate: rate.Limit(nan)},
		{MinRate: -1},
		{MinRate: rate.Limit(nan)},
		{MinRate: rate.Inf},
		{MaxRate: 1, MinRate: 2},
		{Burst: -1},
		{Beta: -0.1},
		{Beta: 1},
		{Beta: nan},
		{Scale: -1},
		{Scale: math.Inf(1)},
		{Scale: nan},
		{Window: -time.Second},
		{Smooth: 1.5},
		{Smooth: -1},
		{Hold: -time.Second},
	} {
		a, err := limiter.NewAdaptiveRate(c)
		if !errors.Is(err, limiter.ErrInvalidConfig) || a != nil {
			t.Errorf("NewAdaptiveRate(%+v) = %v, %v; want nil and ErrInvalidConfig", c, a, err)
		}
	}
	// A MaxRate below the default floor lowers the floor with it.
	a := mustAdaptiveRate(t, limiter.AdaptiveRateConfig{MaxRate: 0.1})
	if l := a.Limit(); l != 0.1 {
		t.Errorf("Limit = %v, want 0.1", l)
	}
}

// TestAdaptiveRateRelease: with KeepServed, after a throttle the rate
// follows the cubic for the 4 s after the last throttle, and then
// doubles every 2 s from Wmax, Wmax·2^((t−4)/2), whichever is higher: a
// quota that was lifted costs seconds, not the cubic's ten.
func TestAdaptiveRateRelease(t *testing.T) {
	c := newClock()
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{KeepServed: true}, c.Now))
	report(a, c, 400, 5*time.Millisecond) // 200/s for 2 s
	c.Advance(5 * time.Millisecond)
	a.Throttled()
	cut := c.Now()
	s := a.Stats()
	wmax, from := s.Wmax, float64(s.Limit)
	if from < 190 || wmax < from || wmax > 250 {
		t.Fatalf("after the throttle: %+v, want the cut near the served 200, Wmax above it", s)
	}
	k := math.Cbrt((wmax - from) / 0.4)
	cubic := func(t float64) float64 { return 0.4*math.Pow(t-k, 3) + wmax }
	release := func(t float64) float64 { return wmax * math.Exp2((t-4)/2) }
	for _, at := range []float64{1, 3.9, 4.5, 5.5} {
		d := cut.Add(time.Duration(at * float64(time.Second))).Sub(c.Now())
		report(a, c, int(d/(5*time.Millisecond))-1, 5*time.Millisecond)
		c.Advance(cut.Add(time.Duration(at * float64(time.Second))).Sub(c.Now()))
		a.Succeeded()
		want := cubic(at)
		if at > k {
			want = max(want, release(at))
		}
		if got := float64(a.Limit()); !near(got, want) {
			t.Errorf("rate %.1fs after the throttle = %.2f, want %.2f (cubic %.2f, release %.2f)", at, got, want, cubic(at), release(at))
		}
	}
	if got, c55 := float64(a.Limit()), cubic(5.5); got <= c55*1.2 {
		t.Errorf("rate 5.5s after the throttle = %.1f: want well above the cubic's %.1f", got, c55)
	}
}

// TestAdaptiveRateCurveNarrated is the curve that ExampleAdaptiveRate
// once drew on a manual clock: 100 calls a second for 2 seconds, a 429,
// then the growth back along the cubic.
func TestAdaptiveRateCurveNarrated(t *testing.T) {
	var out strings.Builder
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := mustAdaptiveRate(t, limiter.AdaptiveRateWithClock(limiter.AdaptiveRateConfig{Name: "api.example.com"}, func() time.Time { return now }))
	fmt.Fprintln(&out, "unlimited:", a.Limit() == rate.Inf)
	// 100 calls per second go out and come back fine for 2 seconds...
	for range 200 {
		now = now.Add(10 * time.Millisecond)
		a.Succeeded()
	}
	// ...then the server answers one with 429: the rate is cut to 0.7 ×
	// the 100/s measured, and the bucket starts empty.
	a.Throttled()
	fmt.Fprintf(&out, "after the 429: %.0f/s\n", a.Limit())
	err := a.Allow()
	fmt.Fprintln(&out, "limited:", errors.Is(err, limiter.ErrLimited))
	fmt.Fprintln(&out, err)
	// The rate grows back along the cubic curve: to 100/s after
	// K = ∛(100 × 0.3 / 0.4) ≈ 4.2 s, and past it after that.
	for _, wait := range []time.Duration{time.Second, 3200 * time.Millisecond, 2 * time.Second} {
		for range int(wait / (10 * time.Millisecond)) {
			now = now.Add(10 * time.Millisecond)
			a.Succeeded()
		}
		fmt.Fprintf(&out, "%v later: %.1f/s\n", now.Sub(time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)), a.Limit())
	}
	want := `unlimited: true
after the 429: 70/s
limited: true
limiter: limited: key "api.example.com": adaptive rate 70/s (burst 70) reached, set by server throttling
1s later: 86.7/s
4.2s later: 100.0/s
6.2s later: 103.1/s
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
