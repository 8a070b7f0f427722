package breaker_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// TestTimeWindowForgets checks that failures leave the window a Period
// after their bucket began, and not before.
func TestTimeWindowForgets(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration // sleep between the 9 old failures and the 10th
		trips bool
	}{
		{"within the period", 5 * time.Second, true},
		{"just before the period", 10*time.Second - time.Nanosecond, true},
		{"after the period", 10 * time.Second, false},
		{"long after", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := mustNew(t, breaker.Config{MinThroughput: 10, FailureRatio: 1, ConsecutiveFailures: -1})
				outcomes(t, b, breaker.Failure, 9)
				time.Sleep(tt.after)
				outcomes(t, b, breaker.Failure, 1)
				if got := b.State() == breaker.Open; got != tt.trips {
					t.Fatalf("tripped %v, want %v (%+v)", got, tt.trips, b.Snapshot())
				}
				if !tt.trips {
					if s := b.Snapshot(); s.Calls != 1 || s.Failures != 1 {
						t.Fatalf("window after %v: %+v, want 1 call", tt.after, s)
					}
				}
			})
		})
	}
}

// TestTimeWindowSlides checks the window bucket by bucket: calls made each
// second stay counted for 10s. Each second begins with a failure, which
// reads the clock, so that the successes after it are dated exactly.
func TestTimeWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 1000})
		for i := 1; i <= 30; i++ {
			outcomes(t, b, breaker.Failure, 1)
			outcomes(t, b, breaker.Success, 2)
			s := b.Snapshot()
			n := uint64(min(i, 10))
			if s.Calls != 3*n || s.Failures != n {
				t.Fatalf("second %d: %d calls, %d failures; want %d, %d", i, s.Calls, s.Failures, 3*n, n)
			}
			time.Sleep(time.Second)
		}
		time.Sleep(10 * time.Second)
		if s := b.Snapshot(); s.Calls != 0 {
			t.Fatalf("after 10 quiet seconds: %+v", s)
		}
	})
}

// TestTimeWindowSuccessAfterPause checks that successes after a pause are
// counted in the current window once the coarse clock has been read (a
// Snapshot here), even when the adaptive clock was reading rarely.
func TestTimeWindowSuccessAfterPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 1000})
		outcomes(t, b, breaker.Success, 10000) // K grows to 64
		time.Sleep(time.Minute)
		b.State() // reads the clock: the pause is noticed
		outcomes(t, b, breaker.Success, 500)
		if s := b.Snapshot(); s.Calls != 500 {
			t.Fatalf("calls %d, want 500", s.Calls)
		}
		// Without a read in between, successes may be dated at the last
		// bucket seen (early), never late: the window holds at most them.
		time.Sleep(time.Minute)
		outcomes(t, b, breaker.Success, 500)
		if s := b.Snapshot(); s.Calls > 500 {
			t.Fatalf("calls %d, want <= 500", s.Calls)
		}
	})
}

// TestCoarseClockAdapts checks that once a pause has been noticed (by any
// clock read), the success path reads the clock again on the next
// success, so that successes after a quiet spell are dated exactly even
// though a burst had made clock reads rare.
func TestCoarseClockAdapts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 1000})
		outcomes(t, b, breaker.Success, 10000) // a burst: K grows to 64
		time.Sleep(time.Minute)
		b.State() // notices the pause: K drops to 1
		time.Sleep(5 * time.Second)
		outcomes(t, b, breaker.Success, 100) // the first one reads the clock
		time.Sleep(6 * time.Second)
		// Dated 5s after the pause, all 100 are in the last 10s; dated
		// at the pause, they would have left it.
		if s := b.Snapshot(); s.Calls != 100 {
			t.Fatalf("calls %d, want 100", s.Calls)
		}
	})
}

// TestCountWindowKeepsLastN checks that a count window holds exactly the
// last Size outcomes.
func TestCountWindowKeepsLastN(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{
			Window:        breaker.Window{Kind: breaker.CountWindow, Size: 5},
			MinThroughput: 5,
			FailureRatio:  1, // trip only when all 5 failed
		})
		outcomes(t, b, breaker.Failure, 4)
		outcomes(t, b, breaker.Success, 1)
		time.Sleep(time.Hour) // a count window does not forget with time
		for i := range 4 {
			outcomes(t, b, breaker.Failure, 1)
			s := b.Snapshot()
			if s.State != breaker.Closed || s.Calls != 5 || s.Failures != 4 {
				t.Fatalf("failure %d after the success: %+v", i+1, s)
			}
		}
		outcomes(t, b, breaker.Failure, 1) // the success leaves the window
		if s := b.State(); s != breaker.Open {
			t.Fatalf("state %v after 5 failures in a row, want open", s)
		}
	})
}

// TestCountWindowCounts checks the running totals over many wraps, with
// slow calls.
func TestCountWindowCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{
			Window:           breaker.Window{Kind: breaker.CountWindow, Size: 7},
			MinThroughput:    7,
			FailureRatio:     1,
			SlowCallDuration: time.Second,
		})
		pattern := []struct {
			o    breaker.Outcome
			slow bool
		}{{breaker.Success, false}, {breaker.Failure, false}, {breaker.Success, true}, {breaker.Ignored, true}, {breaker.Failure, true}}
		var hist []int // 1: failure, 2: slow
		for i := range 40 {
			c := pattern[i%len(pattern)]
			d := time.Duration(0)
			if c.slow {
				d = time.Second
			}
			slowCall(t, b, c.o, d)
			if c.o != breaker.Ignored {
				v := 0
				if c.o == breaker.Failure {
					v |= 1
				}
				if c.slow {
					v |= 2
				}
				hist = append(hist, v)
			}
			last := hist[max(0, len(hist)-7):]
			var f, s uint64
			for _, v := range last {
				f += uint64(v & 1)
				s += uint64(v >> 1)
			}
			got := b.Snapshot()
			if got.Calls != uint64(len(last)) || got.Failures != f || got.Slow != s {
				t.Fatalf("call %d: %d/%d/%d, want %d/%d/%d", i, got.Calls, got.Failures, got.Slow, len(last), f, s)
			}
		}
	})
}

// TestSlowCalls checks that slow failures count as both, and that slow
// tracking off ignores durations.
func TestSlowCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{SlowCallDuration: time.Second, MinThroughput: 100})
		slowCall(t, b, breaker.Ignored, 5*time.Second)
		slowCall(t, b, breaker.Failure, 2*time.Second)
		slowCall(t, b, breaker.Success, time.Second)
		slowCall(t, b, breaker.Success, 999*time.Millisecond)
		if s := b.Snapshot(); s.Calls != 3 || s.Failures != 1 || s.Slow != 2 {
			t.Fatalf("%+v, want 3 calls, 1 failure, 2 slow", s)
		}

		off := mustNew(t, breaker.Config{MinThroughput: 2})
		slowCall(t, off, breaker.Success, time.Hour)
		slowCall(t, off, breaker.Success, time.Hour)
		if s := off.Snapshot(); s.Slow != 0 || s.State != breaker.Closed {
			t.Fatalf("tracking off: %+v", s)
		}
	})
}

// TestStaleOutcomesDiscarded checks that outcomes of permits from an
// earlier generation are not counted, and that a stale probe still frees
// its slot.
func TestStaleOutcomesDiscarded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{ConsecutiveFailures: 2, MinThroughput: 100})
		old, _ := b.Allow()
		outcomes(t, b, breaker.Failure, 2) // open
		old.Failure()                      // stale: not counted
		if s := b.Snapshot(); s.Failures != 2 || s.ConsecutiveFailures != 2 {
			t.Fatalf("after a stale failure: %+v", s)
		}
		b.Reset()
		old.Success()
		old2, _ := b.Allow()
		b.Reset()
		old2.Failure()
		old2.Failure()
		if s := b.Snapshot(); s.Calls != 0 || s.State != breaker.Closed {
			t.Fatalf("after stale outcomes: %+v", s)
		}

		// Probe slots belong to one half-open state: an ignored probe
		// frees its slot; a probe done after the state changed holds none
		// in a later half-open state, which starts with all slots free.
		outcomes(t, b, breaker.Failure, 2)
		time.Sleep(5 * time.Second)
		probe, err := b.Allow()
		if err != nil || probe.State() != breaker.HalfOpen {
			t.Fatalf("probe: %v %v", probe.State(), err)
		}
		if _, err := b.Allow(); err == nil {
			t.Fatal("second probe admitted with HalfOpenProbes 1")
		}
		probe.Ignore() // frees the slot
		probe2, err := b.Allow()
		if err != nil {
			t.Fatalf("probe after an ignored one: %v", err)
		}
		b.Isolate()
		b.Reset()
		outcomes(t, b, breaker.Failure, 2)
		time.Sleep(5 * time.Second)
		probe2.Failure() // stale: neither reopens nor holds the new state's slot
		if s := b.State(); s != breaker.HalfOpen {
			t.Fatalf("state %v after a stale probe failure", s)
		}
		outcomes(t, b, breaker.Success, 1)
		if s := b.State(); s != breaker.Closed {
			t.Fatalf("state %v, want closed", s)
		}
	})
}

// TestZeroPermit checks that the zero Permit's Done does nothing.
func TestZeroPermit(t *testing.T) {
	var p breaker.Permit
	p.Success()
	p.Failure()
	p.Ignore()
	p.Done(breaker.Outcome(9))
	if p.State() != breaker.Closed || p.Generation() != 0 {
		t.Fatal("zero Permit")
	}
}

// TestUndefinedOutcomeIgnored checks that an undefined outcome counts
// neither way.
func TestUndefinedOutcomeIgnored(t *testing.T) {
	b := mustNew(t, breaker.Config{})
	outcomes(t, b, breaker.Outcome(9), 5)
	if s := b.Snapshot(); s.Calls != 0 {
		t.Fatalf("%+v", s)
	}
}
