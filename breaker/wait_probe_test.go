package breaker_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// TestWaitOneProbeAtATime: many calls wait through a break; when it ends
// and each probe fails at once (a refused connection), one call is
// admitted per half-open state. (The narrow race where a failed probe
// freed its slot before reopening, letting waiters through one after
// another, does not show here reliably; transport's
// TestCallersFirstShortOutage, which counts the requests reaching the
// host after the trip, caught it.)
func TestWaitOneProbeAtATime(t *testing.T) {
	for range 20 { // the race it guards against is a narrow one
		waitOneProbeAtATime(t)
	}
}

func waitOneProbeAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{MinThroughput: 4, BreakDuration: 300 * time.Millisecond})
		tripNow(t, b)
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for range 200 {
			wg.Go(func() {
				p, err := b.Wait(withDeadline(t, 700*time.Millisecond))
				if err != nil {
					return
				}
				admitted.Add(1)
				p.Failure() // the probe fails at once
			})
		}
		wg.Wait()
		// Breaks of 300ms in 700ms: two probes.
		if n := admitted.Load(); n != 2 {
			t.Fatalf("%d calls admitted in two breaks, want 2 (one probe each)", n)
		}
	})
}
