package queue

// These white-box tests drive the two interleavings of the lock-free fast
// paths that could strand a waiter next to a free slot (see acquireSlow).
// The scheduler makes them too rare for a black-box stress test to hit
// reliably, so each test runs the steps of one side by hand, in a
// synctest bubble, around the other side's complete call.

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func newInternal(t *testing.T, c Config) *Queue {
	t.Helper()
	q, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// A Release looks at waiting (nobody), then a caller registers and parks,
// then the Release frees the slot: the Release must notice the waiter.
func TestInterleaveReleaseLooksThenCallerParks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newInternal(t, Config{Limit: 1, MaxWait: time.Minute})
		if !q.TryAcquire() {
			t.Fatal("TryAcquire failed")
		}
		// Release, first step: q.waiting.Load() == 0, so it goes to
		// releaseFast. Before it decrements, a caller arrives.
		if q.waiting.Load() != 0 {
			t.Fatal("waiting before the caller arrived")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // on failure, lets the stranded waiter go
		done := make(chan error, 1)
		go func() { done <- q.Acquire(ctx) }()
		synctest.Wait()
		if q.waiting.Load() != 1 {
			t.Fatalf("waiting = %d, want the caller parked", q.waiting.Load())
		}
		q.releaseFast() // the rest of the Release
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("waiter stranded next to a free slot: inFlight %d", q.inFlight.Load())
		}
		q.Release()
	})
}

// A caller fails the fast path (every slot held), then a Release runs to
// completion (nobody waiting yet), then the caller registers: it must see
// the freed slot rather than park.
func TestInterleaveCallerFailsFastPathThenReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newInternal(t, Config{Limit: 1, MaxWait: time.Minute})
		if !q.TryAcquire() {
			t.Fatal("TryAcquire failed")
		}
		// Acquire, first step: the fast path fails.
		if q.tryAcquire() {
			t.Fatal("fast path took a held slot")
		}
		q.Release() // runs to completion: nobody is waiting yet
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // on failure, lets the parked caller go
		done := make(chan error, 1)
		go func() { done <- q.acquireSlow(ctx) }() // the rest of the Acquire
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("caller parked next to a free slot: inFlight %d", q.inFlight.Load())
		}
		q.Release()
	})
}
