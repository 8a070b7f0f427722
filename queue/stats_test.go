package queue_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/queue"
)

func TestStatsCounters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1, MaxDepth: 1, MaxWait: 50 * time.Millisecond, Policy: queue.FIFO})
		if err := q.Acquire(t.Context()); err != nil { // admitted, no wait
			t.Fatal(err)
		}
		w := acquireAsync(t.Context(), q) // queued, admitted after 10ms
		synctest.Wait()
		if err := q.Acquire(t.Context()); !errors.Is(err, queue.ErrFull) { // rejected
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
		q.Release()
		synctest.Wait()
		mustAdmit(t, w, "waiter")
		if err := q.Acquire(t.Context()); !errors.Is(err, queue.ErrTimeout) { // timed out
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		w = acquireAsync(ctx, q) // canceled
		synctest.Wait()
		cancel()
		synctest.Wait()
		if err := <-w; !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		q.Release()

		s := q.Stats()
		want := queue.Stats{
			Limit: 1, Admitted: 2, Queued: 1, RejectedFull: 1, TimedOut: 1, Canceled: 1,
			TotalWait: 10 * time.Millisecond, LongestWait: 10 * time.Millisecond,
			Waits: queue.WaitHistogram{0, 0, 1, 0, 0, 0},
		}
		if s != want {
			t.Errorf("Stats() = %+v\nwant       %+v", s, want)
		}
	})
}

func TestWaitHistogram(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		waits := []time.Duration{
			0, time.Millisecond, // ≤1ms
			1100 * time.Microsecond, 5 * time.Millisecond, // ≤5ms
			25 * time.Millisecond,                         // ≤25ms
			26 * time.Millisecond, 100 * time.Millisecond, // ≤100ms
			500 * time.Millisecond,                         // ≤500ms
			501 * time.Millisecond, 900 * time.Millisecond, // >500ms
		}
		q := mustNew(t, queue.Config{Limit: 1, MaxWait: time.Second, Policy: queue.FIFO})
		fill(t, q)
		var total, longest time.Duration
		for _, d := range waits {
			w := acquireAsync(t.Context(), q)
			synctest.Wait()
			time.Sleep(d)
			q.Release()
			synctest.Wait()
			mustAdmit(t, w, d.String())
			total += d
			longest = max(longest, d)
		}
		q.Release()
		s := q.Stats()
		if want := (queue.WaitHistogram{2, 2, 1, 2, 1, 2}); s.Waits != want {
			t.Errorf("Waits = %v, want %v", s.Waits, want)
		}
		if s.Queued != uint64(len(waits)) || s.TotalWait != total || s.LongestWait != longest {
			t.Errorf("Queued %d, TotalWait %v, LongestWait %v; want %d, %v, %v",
				s.Queued, s.TotalWait, s.LongestWait, len(waits), total, longest)
		}
		if got, want := s.Waits.String(), "≤1ms:2 ≤5ms:2 ≤25ms:1 ≤100ms:2 ≤500ms:1 >500ms:2"; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	})
}

func TestWaitBucketBound(t *testing.T) {
	want := []time.Duration{time.Millisecond, 5 * time.Millisecond, 25 * time.Millisecond,
		100 * time.Millisecond, 500 * time.Millisecond}
	for i := range queue.WaitBuckets {
		d, ok := queue.WaitBucketBound(i)
		if i < len(want) && (!ok || d != want[i]) || i == len(want) && ok {
			t.Errorf("WaitBucketBound(%d) = %v, %v", i, d, ok)
		}
	}
	if _, ok := queue.WaitBucketBound(-1); ok {
		t.Error("WaitBucketBound(-1) ok")
	}
}
