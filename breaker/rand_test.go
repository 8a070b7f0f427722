package breaker_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// seeded returns a source seeded with seed, safe for concurrent use, as
// Config.Rand asks.
func seeded(seed uint64) func() float64 {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}
}

// fixed returns a source that always draws v.
func fixed(v float64) func() float64 { return func() float64 { return v } }

// trace runs a script of trips, failed probes, a recovery and waiters
// released by it through a breaker drawing from r, in a bubble, and
// returns when each thing happened, from the start.
func trace(t *testing.T, r func() float64) []time.Duration {
	var out []time.Duration
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		b := mustNew(t, breaker.Config{Rand: r})
		outcomes(t, b, breaker.Success, 100) // counted in stripes r picks
		tripNow(t, b)
		for range 6 { // failed probes: each break drawn anew
			time.Sleep(time.Until(b.Snapshot().OpenUntil))
			out = append(out, time.Since(start))
			outcomes(t, b, breaker.Failure, 1)
		}
		time.Sleep(time.Until(b.Snapshot().OpenUntil))
		probe, err := b.Allow()
		if err != nil {
			t.Fatalf("no probe at the break's end: %v", err)
		}
		released := make([]time.Duration, 5)
		var wg sync.WaitGroup
		for i := range released {
			wg.Go(func() {
				p, err := b.Wait(withDeadline(t, 10*time.Second))
				if err != nil {
					t.Errorf("Wait: %v", err)
					return
				}
				released[i] = time.Since(start)
				p.Success()
			})
			synctest.Wait() // the waiters enter one by one: their draws come in order
		}
		probe.Success()
		wg.Wait()
		out = append(out, released...)
	})
	return out
}

// TestRandRepeats: a breaker whose draws come from a seeded Config.Rand
// repeats a run exactly, its jittered breaks and slow starts included;
// another seed draws other breaks.
func TestRandRepeats(t *testing.T) {
	a, b := trace(t, seeded(1)), trace(t, seeded(1))
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs with seed 1 differ:\n%v\n%v", a, b)
	}
	if c := trace(t, seeded(2)); reflect.DeepEqual(a, c) {
		t.Fatalf("seeds 1 and 2 give the same run: %v", a)
	}
}

// TestRandDrawsTheDefaultBreak: with Rand set and no break configured,
// the default break's jitter comes from Rand: a draw of 0.5 is the middle
// of its ±15 %, DefaultBreakBackoff's envelope itself, 300ms·1.2ⁿ up to 2s.
func TestRandDrawsTheDefaultBreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec recorder
		b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, Rand: fixed(0.5), OnStateChange: rec.record})
		outcomes(t, b, breaker.Failure, 1)
		for range 12 {
			time.Sleep(time.Until(b.Snapshot().OpenUntil))
			outcomes(t, b, breaker.Failure, 1)
		}
		synctest.Wait()
		n := 0
		for _, c := range rec.all() {
			if c.To != breaker.Open {
				continue
			}
			want := min(time.Duration(float64(300*time.Millisecond)*math.Pow(1.2, float64(n))), 2*time.Second)
			if d := c.Snapshot.OpenUntil.Sub(c.At); d-want > time.Microsecond || want-d > time.Microsecond {
				t.Errorf("trip %d: break %v, want %v", n+1, d, want)
			}
			n++
		}
		if n != 13 {
			t.Fatalf("%d trips, want 13", n)
		}
	})
}

// TestRandClamped: draws outside [0, 1) are clamped into it, on every
// path that draws: the breaks stay within the default's ±15 %, and
// successes are still counted.
func TestRandClamped(t *testing.T) {
	for _, v := range []float64{-1, 1, 2, math.Inf(1), math.Inf(-1), math.NaN()} {
		synctest.Test(t, func(t *testing.T) {
			var rec recorder
			b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, Rand: fixed(v), OnStateChange: rec.record})
			outcomes(t, b, breaker.Success, 10)
			if s := b.Snapshot(); s.Calls != 10 {
				t.Errorf("Rand %v: %d calls counted, want 10", v, s.Calls)
			}
			outcomes(t, b, breaker.Failure, 1)
			c := rec.all()
			if len(c) != 1 {
				t.Fatalf("Rand %v: %d transitions, want 1 (the trip)", v, len(c))
			}
			lo, hi := 255*time.Millisecond, 345*time.Millisecond
			if d := c[0].Snapshot.OpenUntil.Sub(c[0].At); d < lo-time.Microsecond || d > hi {
				t.Errorf("Rand %v: break %v outside [%v, %v]", v, d, lo, hi)
			}
		})
	}
}

// TestRandChoosesWhichSuccessesReadTheClock: the success path's clock
// sampling draws from Rand. A source that always draws 0 makes every
// success read the clock, so successes after a pause are dated now; one
// that always draws its largest value makes none read it once the
// breaker has seen calls come often (K > 1), so they are dated at the
// last observed bucket, which has left the window.
func TestRandChoosesWhichSuccessesReadTheClock(t *testing.T) {
	for _, tc := range []struct {
		rand  float64
		calls uint64
	}{
		{0, 5},
		{math.Nextafter(1, 0), 0},
	} {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, breaker.Config{Rand: fixed(tc.rand)})
			outcomes(t, b, breaker.Success, 2) // the first reads the clock and doubles K
			time.Sleep(11 * time.Second)       // past the 10 s window
			outcomes(t, b, breaker.Success, 5)
			if s := b.Snapshot(); s.Calls != tc.calls {
				t.Errorf("Rand %v: %d calls in the window, want %d", tc.rand, s.Calls, tc.calls)
			}
		})
	}
}

// TestRandDrawsTheSlowStart: a call that waited through a recovery is
// held a share of the break that Rand draws: 0.5 of a 300ms break.
func TestRandDrawsTheSlowStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, Rand: fixed(0.5)})
		outcomes(t, b, breaker.Failure, 1)
		time.Sleep(300 * time.Millisecond) // the break: 300ms·(0.85 + 0.3·0.5)
		probe, err := b.Allow()
		if err != nil {
			t.Fatalf("no probe at the break's end: %v", err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			p, err := b.Wait(withDeadline(t, 10*time.Second))
			if err != nil {
				t.Errorf("Wait: %v", err)
			}
			p.Success()
		}()
		synctest.Wait()
		recovered := time.Now()
		probe.Success()
		<-done
		if d := time.Since(recovered); d != 150*time.Millisecond {
			t.Errorf("the waiter went %v after the recovery, want 150ms", d)
		}
	})
}

// TestGroupSharesRand: a Group's breakers draw from its template's Rand.
func TestGroupSharesRand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			mu    sync.Mutex
			draws int
		)
		r := func() float64 {
			mu.Lock()
			draws++
			mu.Unlock()
			return 0.5
		}
		g, err := breaker.NewGroup(breaker.GroupConfig{Breaker: breaker.Config{Rand: r}})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"a", "b"} {
			p, err := g.Allow(key)
			if err != nil {
				t.Fatal(err)
			}
			p.Success()
		}
		if draws != 2 {
			t.Errorf("%d draws for two successes, want 2", draws)
		}
	})
}
