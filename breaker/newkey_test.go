package breaker_test

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/resilient-go/resilient/breaker"
)

// TestGroupNewKeyIsSmall checks that a breaker starts small (issue 18.6):
// a group that meets new keys all the time, a crawler's or a webhook
// sender's, pays for each about what a known key's call costs, not a
// window striped for every core (once 6 KB at GOMAXPROCS 2 and 38 KB at
// 16 or more, whatever the key's traffic).
func TestGroupNewKeyIsSmall(t *testing.T) {
	g := mustGroup(t, breaker.GroupConfig{MaxKeys: 256})
	// A breaker is 160 bytes, its first window 320; the group's
	// entry and the other tests' goroutines, if any, take the rest.
	const limit = 1536
	if per := perNewKey(t, g, breaker.Success); per > limit {
		t.Errorf("a new key allocated %d bytes, want at most %d", per, limit)
	}
}

// perNewKey reports the bytes allocated per key when each of 4,096 new
// keys of g gets one call per outcome given.
func perNewKey(t *testing.T, g *breaker.Group, outcomes ...breaker.Outcome) uint64 {
	t.Helper()
	const n = 4096
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "h" + strconv.Itoa(i) + ".example.com"
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, k := range keys {
		for _, o := range outcomes {
			p, err := g.Allow(k)
			if err != nil {
				t.Fatal(err)
			}
			p.Done(o)
		}
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / n
}

// TestGroupClosedKeyIsSmaller checks that a key whose breaker never
// leaves the closed state, failures below the trip included, pays only
// for its counting (issue 18.6): what a tripped breaker needs (its
// transitions' lock and timer, its open and half-open counters, its
// waiters) is made by its first transition, rejection or wait. A breaker
// holding all of it from the start allocated about 760 bytes per key
// here; without it, about 540.
func TestGroupClosedKeyIsSmaller(t *testing.T) {
	g := mustGroup(t, breaker.GroupConfig{MaxKeys: 256})
	const limit = 640
	if per := perNewKey(t, g, breaker.Success, breaker.Failure); per > limit {
		t.Errorf("a new key allocated %d bytes, want at most %d", per, limit)
	}
	for _, s := range g.Snapshots() {
		if s.State != breaker.Closed || s.Calls != 2 || s.Failures != 1 || s.Trips != 0 || s.Rejected != 0 {
			t.Fatalf("%s: %v, %d calls, %d failures, %d trips, %d rejected; want closed, 2, 1, 0, 0", s.Name, s.State, s.Calls, s.Failures, s.Trips, s.Rejected)
		}
	}
}

// TestWindowGrows checks that a breaker's window keeps its counts when it
// grows its stripes (at 64 calls in a bucket): the calls counted before
// and after are summed, and the breaker trips on the same call as one
// that never grew.
func TestWindowGrows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The clock stands still in the bubble: every call is in one bucket.
		b := mustNew(t, breaker.Config{ConsecutiveFailures: -1})
		outcomes(t, b, breaker.Success, 200)
		if s := b.Snapshot(); s.Calls != 200 || s.Failures != 0 {
			t.Fatalf("after 200 successes: %d calls, %d failures", s.Calls, s.Failures)
		}
		outcomes(t, b, breaker.Failure, 199)
		if s := b.Snapshot(); s.State != breaker.Closed || s.Calls != 399 || s.Failures != 199 {
			t.Fatalf("after 199 failures: %v, %d calls, %d failures; want closed, 399, 199", s.State, s.Calls, s.Failures)
		}
		outcomes(t, b, breaker.Failure, 1)
		if s := b.State(); s != breaker.Open {
			t.Fatalf("after 200 failures of 400 calls: %v, want open", s)
		}
	})
}

// TestWindowGrowsConcurrently checks that calls from many goroutines
// while the window grows are all counted.
func TestWindowGrowsConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{ConsecutiveFailures: -1, FailureRatio: 1})
		const workers, calls = 8, 100
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range calls {
					p, err := b.Allow()
					if err != nil {
						t.Error(err)
						return
					}
					if (w+i)%4 == 0 {
						p.Failure()
					} else {
						p.Success()
					}
				}
			})
		}
		wg.Wait()
		if s := b.Snapshot(); s.Calls != workers*calls || s.Failures != workers*calls/4 {
			t.Fatalf("%d calls, %d failures; want %d, %d", s.Calls, s.Failures, workers*calls, workers*calls/4)
		}
	})
}
