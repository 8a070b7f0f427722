package breaker_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// TestOnStateChangeReentrant checks that OnStateChange may call State,
// Snapshot and even a manual transition without deadlock, from every
// goroutine that makes transitions (a caller, and the timer).
func TestOnStateChangeReentrant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *breaker.Breaker
		var mu sync.Mutex // the two notifications come from different goroutines
		var seen []string
		b = mustNew(t, breaker.Config{
			Name:                "db",
			ConsecutiveFailures: 1,
			OnStateChange: func(c breaker.StateChange) {
				st, s := b.State(), b.Snapshot()
				if c.Name != "db" || s.Name != "db" || c.Snapshot.Name != "db" {
					t.Errorf("names %q %q %q", c.Name, s.Name, c.Snapshot.Name)
				}
				mu.Lock()
				seen = append(seen, c.To.String()+"/"+st.String())
				mu.Unlock()
				if s.Generation < c.Generation {
					t.Errorf("snapshot generation %d < change %d", s.Generation, c.Generation)
				}
				if c.To == breaker.HalfOpen && c.Generation == 2 {
					b.Isolate() // a transition from inside the callback
				}
			},
		})
		outcomes(t, b, breaker.Failure, 1) // from this goroutine
		time.Sleep(5 * time.Second)        // the timer's goroutine
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		want := []string{"open/open", "half-open/half-open", "isolated/isolated"}
		if len(seen) != len(want) {
			t.Fatalf("seen %q, want %q", seen, want)
		}
		for i := range want {
			if seen[i] != want[i] {
				t.Fatalf("seen %q, want %q", seen, want)
			}
		}
	})
}

// TestOnStateChangeSnapshot checks the snapshot delivered with a trip.
func TestOnStateChangeSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got breaker.StateChange
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: 5 * time.Second, OnStateChange: func(c breaker.StateChange) { got = c }})
		outcomes(t, b, breaker.Success, 2)
		outcomes(t, b, breaker.Failure, 2)
		s := got.Snapshot
		if got.From != breaker.Closed || got.To != breaker.Open || s.State != breaker.Open ||
			s.Calls != 4 || s.Failures != 2 || s.Trips != 1 || s.Generation != 1 ||
			!s.OpenUntil.Equal(time.Now().Add(5*time.Second)) {
			t.Fatalf("change %+v", got)
		}
	})
}
