package breaker_test

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
)

// TestTransitions drives a breaker through each transition inside a
// synctest bubble and checks the notified path and the final state.
func TestTransitions(t *testing.T) {
	const (
		S = breaker.Success
		F = breaker.Failure
		I = breaker.Ignored
	)
	tests := []struct {
		name  string
		cfg   breaker.Config
		drive func(t *testing.T, b *breaker.Breaker)
		path  []string
		state breaker.State
	}{
		{
			name: "closed to open by failure ratio",
			cfg:  breaker.Config{MinThroughput: 10, FailureRatio: 0.5},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, S, 5)
				outcomes(t, b, F, 4)
				outcomes(t, b, I, 10) // counts neither way
				if s := b.Snapshot(); s.State != breaker.Closed || s.Calls != 9 || s.Failures != 4 {
					t.Fatalf("before the 10th call: %+v", s)
				}
				outcomes(t, b, F, 1) // 5 of 10
			},
			path:  []string{"closed>open"},
			state: breaker.Open,
		},
		{
			name: "ratio below the threshold does not trip",
			cfg:  breaker.Config{MinThroughput: 10, FailureRatio: 0.5, ConsecutiveFailures: -1},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, S, 11)
				outcomes(t, b, F, 10) // 10 of 21
			},
			state: breaker.Closed,
		},
		{
			name: "closed to open by slow-call ratio",
			cfg:  breaker.Config{MinThroughput: 4, SlowCallDuration: 100 * time.Millisecond, SlowCallRatio: 0.4},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, S, 2)
				slowCall(t, b, S, 100*time.Millisecond) // exactly the threshold is slow
				slowCall(t, b, S, 99*time.Millisecond)  // not slow
				if s := b.Snapshot(); s.State != breaker.Closed || s.Calls != 4 || s.Slow != 1 || s.Failures != 0 {
					t.Fatalf("after 1 slow call of 4: %+v", s)
				}
				slowCall(t, b, S, time.Second) // 2 of 5
			},
			path:  []string{"closed>open"},
			state: breaker.Open,
		},
		{
			name: "closed to open by consecutive failures",
			cfg:  breaker.Config{MinThroughput: 1000, ConsecutiveFailures: 3},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 2)
				outcomes(t, b, S, 1)
				outcomes(t, b, F, 2)
				outcomes(t, b, I, 1) // does not break the run
				if s := b.Snapshot(); s.State != breaker.Closed || s.ConsecutiveFailures != 2 {
					t.Fatalf("after F F S F F I: %+v", s)
				}
				outcomes(t, b, F, 1)
			},
			path:  []string{"closed>open"},
			state: breaker.Open,
		},
		{
			name: "min throughput respected",
			cfg:  breaker.Config{ConsecutiveFailures: -1}, // MinThroughput 20, no run of failures
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 19)
				if s := b.State(); s != breaker.Closed {
					t.Fatalf("after 19 failures: %v", s)
				}
				outcomes(t, b, F, 1)
			},
			path:  []string{"closed>open"},
			state: breaker.Open,
		},
		{
			name: "open to half-open on time",
			cfg:  breaker.Config{ConsecutiveFailures: 1, BreakDuration: 3 * time.Second},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 1)
				time.Sleep(3*time.Second - time.Nanosecond)
				if s := b.State(); s != breaker.Open {
					t.Fatalf("1ns before the end of the break: %v", s)
				}
				time.Sleep(time.Nanosecond)
				synctest.Wait()
			},
			path:  []string{"closed>open", "open>half-open"},
			state: breaker.HalfOpen,
		},
		{
			name: "half-open to closed after HalfOpenSuccesses",
			cfg:  breaker.Config{ConsecutiveFailures: 1, HalfOpenProbes: 2, HalfOpenSuccesses: 3},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 1)
				time.Sleep(5 * time.Second)
				p1, err1 := b.Allow()
				p2, err2 := b.Allow()
				_, err3 := b.Allow()
				if err1 != nil || err2 != nil || !errors.Is(err3, breaker.ErrOpen) {
					t.Fatalf("half-open with 2 probes: %v, %v, %v", err1, err2, err3)
				}
				if p1.State() != breaker.HalfOpen {
					t.Fatalf("probe permit state %v", p1.State())
				}
				p1.Success()
				p2.Success()
				if s := b.State(); s != breaker.HalfOpen {
					t.Fatalf("after 2 of 3 successes: %v", s)
				}
				outcomes(t, b, S, 1)
				if s := b.Snapshot(); s.Calls != 0 || s.Failures != 0 || s.ConsecutiveFailures != 0 {
					t.Fatalf("closed again but window not fresh: %+v", s)
				}
			},
			path:  []string{"closed>open", "open>half-open", "half-open>closed"},
			state: breaker.Closed,
		},
		{
			name: "half-open to open on failure",
			cfg:  breaker.Config{ConsecutiveFailures: 1, HalfOpenProbes: 2, HalfOpenSuccesses: 2},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 1)
				time.Sleep(5 * time.Second)
				outcomes(t, b, S, 1)
				outcomes(t, b, F, 1)
			},
			path:  []string{"closed>open", "open>half-open", "half-open>open"},
			state: breaker.Open,
		},
		{
			name: "half-open to open on a slow probe",
			cfg:  breaker.Config{ConsecutiveFailures: 1, SlowCallDuration: time.Second},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 1)
				time.Sleep(5 * time.Second)
				slowCall(t, b, S, time.Second)
			},
			path:  []string{"closed>open", "open>half-open", "half-open>open"},
			state: breaker.Open,
		},
		{
			name: "ignored probe frees its slot",
			cfg:  breaker.Config{ConsecutiveFailures: 1},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 1)
				time.Sleep(5 * time.Second)
				outcomes(t, b, I, 3)
				if s := b.State(); s != breaker.HalfOpen {
					t.Fatalf("after ignored probes: %v", s)
				}
				outcomes(t, b, S, 1)
			},
			path:  []string{"closed>open", "open>half-open", "half-open>closed"},
			state: breaker.Closed,
		},
		{
			name: "isolate, disable, reset",
			cfg:  breaker.Config{ConsecutiveFailures: 1},
			drive: func(t *testing.T, b *breaker.Breaker) {
				outcomes(t, b, F, 1) // open
				b.Isolate()
				b.Isolate() // no-op
				time.Sleep(time.Hour)
				synctest.Wait()
				if _, err := b.Allow(); !errors.Is(err, breaker.ErrOpen) {
					t.Fatalf("isolated Allow: %v", err)
				}
				b.Disable()
				b.Disable() // no-op
				outcomes(t, b, F, 50)
				if s := b.Snapshot(); s.State != breaker.Disabled || s.Failures != 50 || s.ConsecutiveFailures != 50 {
					t.Fatalf("disabled after 50 failures: %+v", s)
				}
				b.Reset()
				if s := b.Snapshot(); s.Calls != 0 || s.ConsecutiveFailures != 0 {
					t.Fatalf("after Reset: %+v", s)
				}
				b.Reset() // closed to closed is still a transition
			},
			path:  []string{"closed>open", "open>isolated", "isolated>disabled", "disabled>closed", "closed>closed"},
			state: breaker.Closed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var rec recorder
				c := tt.cfg
				c.OnStateChange = rec.record
				b := mustNew(t, c)
				tt.drive(t, b)
				// The timer's goroutine may still be delivering its
				// notification: let it finish.
				synctest.Wait()
				if got := rec.path(); !slices.Equal(got, tt.path) {
					t.Errorf("transitions %q, want %q", got, tt.path)
				}
				if s := b.State(); s != tt.state {
					t.Errorf("final state %v, want %v", s, tt.state)
				}
				for i, c := range rec.all() {
					if c.Generation != uint64(i+1) || c.Snapshot.Generation != c.Generation || c.Snapshot.State != c.To {
						t.Errorf("change %d: generation %d, snapshot %v/%d", i, c.Generation, c.Snapshot.State, c.Snapshot.Generation)
					}
				}
			})
		})
	}
}

// slowCall makes one call that takes d (in the bubble's time) and reports
// o.
func slowCall(t *testing.T, b *breaker.Breaker, o breaker.Outcome, d time.Duration) {
	t.Helper()
	p, err := b.Allow()
	if err != nil {
		t.Fatalf("slow call: %v", err)
	}
	time.Sleep(d)
	p.Done(o)
}

// TestHalfOpenNotifiedAtOpenUntil checks that the open → half-open
// notification arrives at exactly OpenUntil with no call at all, and that
// the timer is the breaker's only activity.
func TestHalfOpenNotifiedAtOpenUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan breaker.StateChange, 4)
		b := mustNew(t, breaker.Config{
			ConsecutiveFailures: 1,
			BreakDuration:       1500 * time.Millisecond,
			OnStateChange:       func(c breaker.StateChange) { ch <- c },
		})
		start := time.Now()
		outcomes(t, b, breaker.Failure, 1)
		opened := <-ch
		until := opened.Snapshot.OpenUntil
		if !until.Equal(start.Add(1500*time.Millisecond)) || !opened.At.Equal(start) {
			t.Fatalf("opened at %v until %v, want %v until +1.5s", opened.At, until, start)
		}
		if s := b.Snapshot(); !s.OpenUntil.Equal(until) || s.Trips != 1 {
			t.Fatalf("snapshot %+v", s)
		}
		select {
		case c := <-ch:
			t.Fatalf("unexpected %v>%v", c.From, c.To)
		default:
		}
		c := <-ch // blocks the bubble until the timer fires
		if c.From != breaker.Open || c.To != breaker.HalfOpen {
			t.Fatalf("got %v>%v, want open>half-open", c.From, c.To)
		}
		if !c.At.Equal(until) || !time.Now().Equal(until) {
			t.Fatalf("half-open notified at %v (now %v), want %v", c.At, time.Now(), until)
		}
		if !c.Snapshot.OpenUntil.IsZero() {
			t.Fatalf("half-open snapshot has OpenUntil %v", c.Snapshot.OpenUntil)
		}
	})
}

// TestLazyHalfOpen checks that a call at OpenUntil admits a probe, and
// that only one transition is notified whether the timer or the call
// makes it.
func TestLazyHalfOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec recorder
		b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, OnStateChange: rec.record})
		outcomes(t, b, breaker.Failure, 1)
		time.Sleep(5 * time.Second)
		p, err := b.Allow() // the timer may or may not have run yet
		if err != nil || p.State() != breaker.HalfOpen {
			t.Fatalf("Allow at OpenUntil: %v, %v", p.State(), err)
		}
		synctest.Wait()
		if got := rec.path(); !slices.Equal(got, []string{"closed>open", "open>half-open"}) {
			t.Fatalf("transitions %q", got)
		}
		p.Success()
	})
}

// TestBreakBackoff checks that repeated trips open for longer, as the
// strategy says, and that closing resets the run.
func TestBreakBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bo, err := backoff.New(backoff.Config{
			Base: time.Second, Max: 8 * time.Second, Jitter: backoff.EqualJitter,
			Rand: func() float64 { return 0.5 }, // v/2 + 0.5·v/2 = 0.75·v
		})
		if err != nil {
			t.Fatal(err)
		}
		var rec recorder
		b := mustNew(t, breaker.Config{
			ConsecutiveFailures: 1,
			BreakDuration:       time.Hour, // ignored: BreakBackoff wins
			BreakBackoff:        bo,
			OnStateChange:       rec.record,
		})
		outcomes(t, b, breaker.Failure, 1)
		var breaks []time.Duration
		for range 5 { // fail the probe 5 times
			s := b.Snapshot()
			time.Sleep(time.Until(s.OpenUntil))
			outcomes(t, b, breaker.Failure, 1)
		}
		time.Sleep(time.Until(b.Snapshot().OpenUntil))
		outcomes(t, b, breaker.Success, 1) // closes, resets the run
		outcomes(t, b, breaker.Failure, 1)
		synctest.Wait()
		for _, c := range rec.all() {
			if c.To == breaker.Open {
				breaks = append(breaks, c.Snapshot.OpenUntil.Sub(c.At))
			}
		}
		ms := time.Millisecond
		want := []time.Duration{750 * ms, 1500 * ms, 3000 * ms, 6000 * ms, 6000 * ms, 6000 * ms, 750 * ms}
		if !slices.Equal(breaks, want) {
			t.Fatalf("breaks %v, want %v", breaks, want)
		}
		if s := b.Snapshot(); s.Trips != 7 {
			t.Fatalf("Trips %d, want 7", s.Trips)
		}
	})
}

// TestBreakBackoffJittered checks that a jittered strategy's draws are used
// as they come, within the envelope.
func TestBreakBackoffJittered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bo, err := backoff.New(backoff.Config{Base: 5 * time.Second, Max: 2 * time.Minute, Jitter: backoff.EqualJitter})
		if err != nil {
			t.Fatal(err)
		}
		var rec recorder
		b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, BreakBackoff: bo, OnStateChange: rec.record})
		outcomes(t, b, breaker.Failure, 1)
		for range 7 {
			time.Sleep(time.Until(b.Snapshot().OpenUntil))
			outcomes(t, b, breaker.Failure, 1)
		}
		synctest.Wait()
		n := 0
		for _, c := range rec.all() {
			if c.To != breaker.Open {
				continue
			}
			v := min(5*time.Second<<n, 2*time.Minute)
			if d := c.Snapshot.OpenUntil.Sub(c.At); d < v/2 || d > v {
				t.Errorf("trip %d: break %v outside [%v, %v]", n+1, d, v/2, v)
			}
			n++
		}
		if n != 8 {
			t.Fatalf("%d trips, want 8", n)
		}
	})
}

// TestManualTransitionStopsTimer checks that leaving the open state by
// hand cancels the move to half-open.
func TestManualTransitionStopsTimer(t *testing.T) {
	for _, manual := range []func(*breaker.Breaker){(*breaker.Breaker).Isolate, (*breaker.Breaker).Disable, (*breaker.Breaker).Reset} {
		synctest.Test(t, func(t *testing.T) {
			var rec recorder
			b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, OnStateChange: rec.record})
			outcomes(t, b, breaker.Failure, 1)
			manual(b)
			time.Sleep(time.Minute)
			synctest.Wait()
			if n := len(rec.all()); n != 2 {
				t.Fatalf("transitions %q, want 2", rec.path())
			}
		})
	}
}
