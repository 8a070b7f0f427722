package limiter_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

func TestThrottleHealthyBackend(t *testing.T) {
	clk := newClock()
	// Rand always 0: any positive probability would reject.
	th := mustThrottle(t, limiter.ThrottleWithClock(limiter.ThrottleConfig{Rand: zeroRand}, clk.Now))
	for range 1000 {
		if err := th.Allow(); err != nil {
			t.Fatalf("Allow with every request accepted: %v", err)
		}
		th.Accepted()
		clk.Advance(10 * time.Millisecond)
	}
	if p := th.RejectProbability(); p != 0 {
		t.Fatalf("RejectProbability = %v with accepts = requests, want 0", p)
	}
}

func TestThrottleFormula(t *testing.T) {
	clk := newClock()
	th := mustThrottle(t, limiter.ThrottleWithClock(limiter.ThrottleConfig{Rand: func() float64 { return 0.999999 }}, clk.Now))
	send := func(n, accepted int) {
		for i := range n {
			_ = th.Allow()
			if i < accepted {
				th.Accepted()
			}
		}
	}
	send(30, 10) // 30 requests, 10 accepts: (30 − 2·10)/31
	if p, want := th.RejectProbability(), 10.0/31; math.Abs(p-want) > 1e-12 {
		t.Fatalf("RejectProbability = %v, want %v", p, want)
	}
	send(10, 10) // 40 requests, 20 accepts: K·accepts = requests
	if p := th.RejectProbability(); p != 0 {
		t.Fatalf("RejectProbability = %v with requests = 2·accepts, want 0", p)
	}
	k := mustThrottle(t, limiter.ThrottleWithClock(limiter.ThrottleConfig{K: 1.5}, clk.Now))
	for i := range 30 {
		_ = k.Allow()
		if i%2 == 0 {
			k.Accepted()
		}
	}
	if p, want := k.RejectProbability(), (30-1.5*15)/31.0; math.Abs(p-want) > 1e-12 {
		t.Fatalf("K=1.5: RejectProbability = %v, want %v", p, want)
	}
}

// With a backend refusing everything, P climbs toward 1 but never gets
// there: some requests still go through, enough to see a recovery.
func TestThrottleBackendDown(t *testing.T) {
	clk := newClock()
	rnd := rand.New(rand.NewPCG(1, 2))
	th := mustThrottle(t, limiter.ThrottleWithClock(limiter.ThrottleConfig{Rand: rnd.Float64}, clk.Now))
	sent, rejected := 0, 0
	var last error
	for range 10000 {
		if err := th.Allow(); err != nil {
			if !errors.Is(err, limiter.ErrLimited) {
				t.Fatalf("Allow = %v, want ErrLimited", err)
			}
			rejected++
			last = err
		} else {
			sent++
		}
		clk.Advance(time.Millisecond) // 10s in all
	}
	p := th.RejectProbability()
	if p < 0.999 || p >= 1 {
		t.Fatalf("RejectProbability = %v after 10000 refused requests, want in [0.999, 1)", p)
	}
	if sent == 0 || sent > 100 {
		t.Fatalf("%d of 10000 requests sent to a dead backend, want a few", sent)
	}
	if want := "limiter: limited: client-side throttling p=1.00 (9999 requests, 0 accepted in 2m0s)"; last.Error() != want {
		t.Fatalf("error %q, want %q", last, want)
	}
	t.Logf("backend down: %d sent, %d rejected locally, P = %.5f", sent, rejected, p)

	// The backend recovers: the requests that go through are accepted,
	// and P falls as accepts build up and refusals leave the window.
	// With K = 2 the shortfall 1−P about doubles per window, since the
	// requests rejected locally count as requests: this takes a while.
	start, accepted := clk.Now(), 0
	for i := 0; th.RejectProbability() > 0.1; i++ {
		if i == 1e6 {
			t.Fatalf("P = %v after %v of recovery", th.RejectProbability(), clk.Now().Sub(start))
		}
		if th.Allow() == nil {
			th.Accepted()
			accepted++
		}
		clk.Advance(10 * time.Millisecond)
	}
	t.Logf("P below 0.1 after %v, %d requests accepted", clk.Now().Sub(start), accepted)
}

// The window forgets: bucket by bucket, then entirely.
func TestThrottleWindowForgets(t *testing.T) {
	clk := newClock()
	th := mustThrottle(t, limiter.ThrottleWithClock(limiter.ThrottleConfig{Rand: zeroRand, Window: 10 * time.Second, Buckets: 10}, clk.Now))
	for range 100 {
		_ = th.Allow() // refused by the backend: no Accepted
	}
	clk.Advance(5 * time.Second)
	for range 100 {
		_ = th.Allow()
		th.Accepted()
	}
	// 200 requests, 100 accepts: P = 0; the refusals are in the first
	// bucket, which leaves the window at 10s.
	if p := th.RejectProbability(); p != 0 {
		t.Fatalf("RejectProbability = %v, want 0", p)
	}
	clk.Advance(5*time.Second - 1)
	for range 100 {
		_ = th.Allow()
	}
	if p, want := th.RejectProbability(), (300-200.0)/301; math.Abs(p-want) > 1e-12 {
		t.Fatalf("RejectProbability = %v, want %v", p, want)
	}
	clk.Advance(1) // the first bucket leaves
	if p, want := th.RejectProbability(), 0.0; p != want {
		t.Fatalf("RejectProbability = %v after the first bucket left, want %v", p, want)
	}
	clk.Advance(10 * time.Second) // everything leaves
	if p := th.RejectProbability(); p != 0 {
		t.Fatalf("RejectProbability = %v after the window, want 0", p)
	}
	if err := th.Allow(); err != nil {
		t.Fatalf("Allow after a quiet window: %v", err)
	}
	// A clock that goes back counts in the newest bucket.
	clk.Advance(-time.Hour)
	_ = th.Allow()
	if p := th.RejectProbability(); math.Abs(p-2.0/3) > 1e-12 {
		t.Fatalf("RejectProbability = %v, want 2/3 (2 requests)", p)
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := mustThrottle(t, limiter.ThrottleConfig{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				if th.Allow() == nil && (g+i)%3 != 0 {
					th.Accepted()
				}
				_ = th.RejectProbability()
			}
		})
	}
	wg.Wait()
	if p := th.RejectProbability(); p < 0 || p >= 1 {
		t.Fatalf("RejectProbability = %v", p)
	}
}

func TestThrottleAllocs(t *testing.T) {
	th := mustThrottle(t, limiter.ThrottleConfig{})
	if n := testing.AllocsPerRun(100, func() {
		_ = th.Allow()
		th.Accepted()
	}); n != 0 {
		t.Fatalf("Allow+Accepted: %v allocs, want 0", n)
	}
}

func TestThrottleConfig(t *testing.T) {
	for _, tc := range []struct {
		c    limiter.ThrottleConfig
		want string
	}{
		{limiter.ThrottleConfig{K: 0.5}, "K 0.5 must be at least 1"},
		{limiter.ThrottleConfig{K: math.NaN()}, "K NaN must be at least 1"},
		{limiter.ThrottleConfig{K: math.Inf(1)}, "K +Inf must be at least 1"},
		{limiter.ThrottleConfig{Window: -1}, "Window -1ns is negative"},
		{limiter.ThrottleConfig{Buckets: -1}, "Buckets -1 is negative"},
		{limiter.ThrottleConfig{Window: 5, Buckets: 6}, "Buckets 6 is more than the nanoseconds of Window 5ns"},
		// Each bucket is memory: MaxInt32 of them ran the process out of it.
		{limiter.ThrottleConfig{Buckets: 1001}, "Buckets 1001 is more than 1000"},
		{limiter.ThrottleConfig{Buckets: math.MaxInt32}, "Buckets 2147483647 is more than 1000"},
		{limiter.ThrottleConfig{Buckets: math.MaxInt}, "is more than 1000"},
	} {
		_, err := limiter.NewThrottle(tc.c)
		if !errors.Is(err, limiter.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewThrottle(%+v) = %v, want ErrInvalidConfig saying %q", tc.c, err, tc.want)
		}
	}
	if _, err := limiter.NewThrottle(limiter.ThrottleConfig{Buckets: 1000}); err != nil {
		t.Errorf("NewThrottle(Buckets: 1000) = %v, want the largest count accepted", err)
	}
}
