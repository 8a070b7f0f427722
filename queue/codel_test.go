package queue_test

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/queue"
)

// codelConfig is a queue of one slot with room to wait, MaxWait far away,
// and the CoDel defaults.
var codelConfig = queue.Config{
	Limit:    1,
	MaxDepth: 10,
	MaxWait:  10 * time.Second,
	Target:   5 * time.Millisecond,
	Interval: 100 * time.Millisecond,
}

// sleepUntil sleeps until d after start (bubble time).
func sleepUntil(start time.Time, d time.Duration) { time.Sleep(time.Until(start.Add(d))) }

func TestCoDelDropsAndReturnsToFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		q := mustNew(t, codelConfig)
		fill(t, q)

		w1 := acquireAsync(t.Context(), q) // at 0: the queue stops being empty
		sleepUntil(start, 97*time.Millisecond)
		w2 := acquireAsync(t.Context(), q)
		sleepUntil(start, 98*time.Millisecond)
		w3 := acquireAsync(t.Context(), q)

		sleepUntil(start, 99*time.Millisecond)
		if q.Stats().Overloaded {
			t.Fatal("overloaded before Interval")
		}
		mustWait(t, w1, "w1 at 99ms")

		// At Interval the queue becomes overloaded, and w1, older than
		// Target, is dropped at once, with nothing else happening.
		sleepUntil(start, 100*time.Millisecond)
		synctest.Wait()
		err, done := poll(w1)
		if !done || !errors.Is(err, queue.ErrTimeout) {
			t.Fatalf("w1 at 100ms: %v (returned %v), want ErrTimeout", err, done)
		}
		const want = "queue: wait timed out: dropped after waiting 100ms (overloaded: not empty for 100ms >= Interval 100ms, waits over Target 5ms are dropped)"
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if s := q.Stats(); !s.Overloaded || s.Dropped != 1 || s.TimedOut != 0 || s.Depth != 2 {
			t.Fatalf("at 100ms: %+v; want Overloaded, Dropped 1, TimedOut 0, Depth 2", s)
		}

		// Overloaded: the freed slot goes to the newest waiter.
		sleepUntil(start, 101*time.Millisecond)
		q.Release()
		synctest.Wait()
		mustAdmit(t, w3, "w3 (newest) at 101ms")
		mustWait(t, w2, "w2 at 101ms")

		// w2 is dropped when it is older than Target: at 97+5 = 102ms.
		sleepUntil(start, 102*time.Millisecond)
		synctest.Wait()
		if err, done := poll(w2); !done || !errors.Is(err, queue.ErrTimeout) {
			t.Fatalf("w2 at 102ms: %v (returned %v), want ErrTimeout", err, done)
		}
		if s := q.Stats(); s.Overloaded || s.Depth != 0 || s.Dropped != 2 {
			t.Fatalf("drained at 102ms: %+v; want not Overloaded, Depth 0, Dropped 2", s)
		}

		// The queue drained: FIFO again, and no early drops.
		sleepUntil(start, 110*time.Millisecond)
		w4 := acquireAsync(t.Context(), q)
		sleepUntil(start, 111*time.Millisecond)
		w5 := acquireAsync(t.Context(), q)
		sleepUntil(start, 150*time.Millisecond) // both older than Target, but not overloaded
		q.Release()
		synctest.Wait()
		mustAdmit(t, w4, "w4 (oldest) at 150ms")
		mustWait(t, w5, "w5 at 150ms")
		q.Release()
		synctest.Wait()
		mustAdmit(t, w5, "w5")
		q.Release()
		if s := q.Stats(); s.InFlight != 0 || s.Dropped != 2 || s.Queued != 3 {
			t.Fatalf("at the end: %+v; want InFlight 0, Dropped 2, Queued 3", s)
		}
	})
}

func TestCoDelServesNewestFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		q := mustNew(t, codelConfig)
		fill(t, q)

		var mu sync.Mutex
		var order []string
		var wg sync.WaitGroup
		arrive := func(name string, at time.Duration) {
			sleepUntil(start, at)
			wg.Go(func() {
				err := q.Acquire(t.Context())
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					order = append(order, name+":"+errorKind(err))
					return
				}
				order = append(order, name)
			})
		}
		arrive("w0", 0) // keeps the queue non-empty from 0 on
		arrive("a", 98*time.Millisecond)
		arrive("b", 99*time.Millisecond)
		arrive("c", 100*time.Millisecond) // w0 is dropped as c arrives
		arrive("d", 101*time.Millisecond)
		sleepUntil(start, 102*time.Millisecond)
		synctest.Wait()
		for range 4 { // each admitted waiter's slot is released at once
			q.Release()
			synctest.Wait()
		}
		wg.Wait()
		q.Release()
		want := []string{"w0:timeout", "d", "c", "b", "a"}
		if len(order) != len(want) {
			t.Fatalf("got %v, want %v", order, want)
		}
		for i := range want {
			if order[i] != want[i] {
				t.Fatalf("got %v, want %v", order, want)
			}
		}
	})
}

func TestFIFOPolicyNeverDropsEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := codelConfig
		c.Policy = queue.FIFO
		c.MaxWait = time.Second
		q := mustNew(t, c)
		fill(t, q)
		start := time.Now()
		var ws []<-chan error
		for range 3 {
			ws = append(ws, acquireAsync(t.Context(), q))
			time.Sleep(10 * time.Millisecond)
		}
		sleepUntil(start, 500*time.Millisecond) // far past Interval
		if s := q.Stats(); s.Overloaded || s.Depth != 3 {
			t.Fatalf("FIFO at 500ms: %+v; want not Overloaded, Depth 3", s)
		}
		q.Release()
		synctest.Wait()
		mustAdmit(t, ws[0], "oldest")
		sleepUntil(start, time.Second+10*time.Millisecond) // ws[1] enqueued at 10ms
		synctest.Wait()
		if err, done := poll(ws[1]); !done || !errors.Is(err, queue.ErrTimeout) {
			t.Fatalf("second at 1.01s: %v (returned %v), want ErrTimeout", err, done)
		}
		mustWait(t, ws[2], "third at 1.01s")
		q.Release()
		synctest.Wait()
		mustAdmit(t, ws[2], "third")
		q.Release()
		if s := q.Stats(); s.TimedOut != 1 || s.Dropped != 0 {
			t.Fatalf("%+v; want TimedOut 1, Dropped 0", s)
		}
	})
}

// errorKind names the sentinel that err matches.
func errorKind(err error) string {
	switch {
	case errors.Is(err, queue.ErrTimeout):
		return "timeout"
	case errors.Is(err, queue.ErrFull):
		return "full"
	default:
		return err.Error()
	}
}

// TestReleaseAtDeadline releases a slot at the very instant a waiter's
// deadline passes: whichever runs first, the Release or the waiter's timer,
// the expired waiter is not served.
func TestReleaseAtDeadline(t *testing.T) {
	for _, p := range []queue.Policy{queue.AdaptiveLIFO, queue.FIFO} {
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := codelConfig
				c.Policy, c.MaxWait = p, 50*time.Millisecond
				for range 20 {
					q := mustNew(t, c)
					fill(t, q)
					w := acquireAsync(t.Context(), q)
					time.Sleep(50 * time.Millisecond) // the waiter's deadline, both policies
					q.Release()
					synctest.Wait()
					if err := <-w; !errors.Is(err, queue.ErrTimeout) {
						t.Fatalf("waiter at its deadline: %v, want ErrTimeout", err)
					}
					if s := q.Stats(); s.InFlight != 0 || s.Depth != 0 {
						t.Fatalf("stats %+v; want InFlight 0, Depth 0", s)
					}
				}
			})
		})
	}
}
