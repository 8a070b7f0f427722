package breaker_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// withDeadline returns a context that ends d from now.
func withDeadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestWaitAdmitsAtTheProbe: a call whose deadline reaches past the break
// waits for it and becomes the probe, where Allow fails it.
func TestWaitAdmitsAtTheProbe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: time.Second})
		tripNow(t, b)
		if _, err := b.Allow(); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("Allow while open: %v, want ErrOpen", err)
		}
		start := time.Now()
		p, err := b.Wait(withDeadline(t, 2*time.Second))
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Fatalf("waited %v, want the break's 1s", waited)
		}
		if p.State() != breaker.HalfOpen {
			t.Fatalf("admitted in %v, want half-open (the probe)", p.State())
		}
		p.Success()
		if s := b.Snapshot(); s.State != breaker.Closed || s.Waited != 1 || s.Waiting != 0 {
			t.Fatalf("after the probe: %+v", s)
		}
	})
}

// TestWaitFailsFastPastTheDeadline: when the probe is due after the
// deadline, Wait fails at once, as Allow does.
func TestWaitFailsFastPastTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: time.Second})
		tripNow(t, b)
		start := time.Now()
		_, err := b.Wait(withDeadline(t, 500*time.Millisecond))
		var oe *breaker.OpenError
		if !errors.As(err, &oe) || oe.State != breaker.Open || time.Since(start) != 0 {
			t.Fatalf("Wait: %v after %v, want an OpenError at once", err, time.Since(start))
		}
		if s := b.Snapshot(); s.Rejected != 1 || s.Waited != 0 {
			t.Fatalf("rejected %d waited %d, want 1 and 0", s.Rejected, s.Waited)
		}
	})
}

// TestWaitFailsFastOnceTheBreakOutgrowsTheDeadline: while probes keep
// failing the break grows; once it is longer than the caller's deadline,
// calls fail at once even when the next probe happens to be near.
func TestWaitFailsFastOnceTheOutageOutlastsTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4}) // the default break backoff
		tripNow(t, b)
		const deadline = 2 * time.Second
		var waitedTrips int
		for range 40 {
			start := time.Now()
			p, err := b.Wait(withDeadline(t, deadline))
			if err != nil {
				if time.Since(start) != 0 {
					t.Fatalf("failed after %v, want at once", time.Since(start))
				}
				break
			}
			waitedTrips++
			p.Failure() // the probe fails: open again, for longer
		}
		s := b.Snapshot()
		if s.State != breaker.Open || waitedTrips < 5 || waitedTrips > 20 {
			t.Fatalf("%d probes made through Wait before failing fast (state %v), want 5..20", waitedTrips, s.State)
		}
	})
}

// TestWaitDefaultProbeSchedule: with the default break backoff, a breaker
// that keeps failing its probes probes no more than once per 250ms, and
// about once per 10s after the first minute's start: at most 60 probes in
// a 60s outage.
func TestWaitDefaultProbeSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4})
		tripNow(t, b)
		start, last := time.Now(), time.Now()
		probes := 0
		for time.Since(start) < time.Minute {
			p, err := b.Wait(withDeadline(t, time.Hour))
			if err != nil {
				t.Fatalf("Wait with an hour to go: %v", err)
			}
			if gap := time.Since(last); gap < 250*time.Millisecond {
				t.Fatalf("probe %d came %v after the last, want >= 250ms", probes+1, gap)
			}
			last = time.Now()
			probes++
			p.Failure()
		}
		if probes > 60 || probes < 10 {
			t.Fatalf("%d probes in a minute, want 10..60", probes)
		}
		t.Logf("%d probes in the first minute", probes)
	})
}

// TestWaitReleasesWaitersGradually: calls held during an outage all go
// when the probe succeeds, spread over a slow start, not at one instant.
func TestWaitReleasesWaitersGradually(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: time.Second})
		tripNow(t, b)
		const n = 20
		var (
			mu       sync.Mutex
			admitted []time.Duration
			wg       sync.WaitGroup
		)
		start := time.Now()
		probe := make(chan breaker.Permit, n)
		for range n {
			wg.Go(func() {
				p, err := b.Wait(withDeadline(t, 5*time.Second))
				if err != nil {
					t.Errorf("Wait: %v", err)
					return
				}
				if p.State() == breaker.HalfOpen {
					probe <- p
					return
				}
				mu.Lock()
				admitted = append(admitted, time.Since(start))
				mu.Unlock()
				p.Success()
			})
		}
		synctest.Wait()
		if s := b.Snapshot(); s.Waiting != n {
			t.Fatalf("%d waiting, want %d", s.Waiting, n)
		}
		time.Sleep(time.Second) // the break ends: one waiter becomes the probe
		synctest.Wait()
		(<-probe).Success() // the host is back
		wg.Wait()
		if len(admitted) != n-1 {
			t.Fatalf("%d admitted after the probe, want %d", len(admitted), n-1)
		}
		distinct := map[time.Duration]bool{}
		for _, at := range admitted {
			if at < time.Second || at > 2*time.Second {
				t.Fatalf("admitted at %v, want within the 1s slow start after the probe", at)
			}
			distinct[at] = true
		}
		if len(distinct) < n/2 {
			t.Fatalf("waiters released at %d distinct instants of %d: a herd", len(distinct), n-1)
		}
	})
}

// TestWaitBoundedWaiters: past MaxWaiters, calls fail at once.
func TestWaitBoundedWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: time.Second, MaxWaiters: 2})
		tripNow(t, b)
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { _, _ = b.Wait(ctx) })
		}
		synctest.Wait()
		if _, err := b.Wait(withDeadline(t, 2*time.Second)); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("third waiter: %v, want ErrOpen at once", err)
		}
		cancel()
		wg.Wait()
		if s := b.Snapshot(); s.Waiting != 0 || s.Waited != 2 {
			t.Fatalf("waiting %d waited %d, want 0 and 2", s.Waiting, s.Waited)
		}
	})
}

// TestWaitCanceled: a wait that the caller's context ends fails with an
// error matching both the context's error and ErrOpen.
func TestWaitCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: time.Second})
		tripNow(t, b)
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		errc := make(chan error)
		go func() { _, err := b.Wait(ctx); errc <- err }()
		synctest.Wait()
		cancel()
		err := <-errc
		if !errors.Is(err, context.Canceled) || !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("Wait: %v, want context.Canceled and ErrOpen", err)
		}
	})
}

// TestWaitIsolatedFailsFast: an isolated breaker ends only by hand: no
// wait.
func TestWaitIsolatedFailsFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{})
		b.Isolate()
		if _, err := b.Wait(withDeadline(t, time.Hour)); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("Wait on isolated: %v, want ErrOpen at once", err)
		}
	})
}

// TestWaitWithoutDeadlineFailsFast: no deadline, no basis for a wait.
func TestWaitWithoutDeadlineFailsFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: time.Second})
		tripNow(t, b)
		if _, err := b.Wait(context.Background()); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("Wait without a deadline: %v, want ErrOpen at once", err)
		}
	})
}

// TestWaitOldestTakesTheProbe: when the break ends, the call that has
// waited longest becomes the probe, not whichever of the waiters (all
// woken at once) runs first, so that a run in a bubble repeats.
func TestWaitOldestTakesTheProbe(t *testing.T) {
	for round := range 20 {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, BreakDuration: time.Second})
			outcomes(t, b, breaker.Failure, 1)
			const n = 8
			probe := make(chan int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					p, err := b.Wait(withDeadline(t, 10*time.Second))
					if err != nil {
						t.Errorf("waiter %d: %v", i, err)
						return
					}
					if p.State() == breaker.HalfOpen {
						probe <- i
					}
					p.Success()
				})
				time.Sleep(time.Millisecond) // they enter in order
			}
			if got := <-probe; got != 0 {
				t.Errorf("round %d: waiter %d took the probe, want 0, the oldest", round, got)
			}
			wg.Wait()
		})
	}
}
