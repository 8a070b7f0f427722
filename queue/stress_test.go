package queue_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/queue"
)

// TestStress runs many goroutines acquiring with random cancellations, so
// that cancels race hand-offs, and checks that no slot is lost or
// duplicated: the limit holds throughout, and at the end nothing is in
// flight or waiting, the counters add up, and exactly Limit slots can be
// taken.
func TestStress(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   queue.Policy
		setLimit bool
	}{
		{"AdaptiveLIFO", queue.AdaptiveLIFO, false},
		{"FIFO", queue.FIFO, false},
		{"AdaptiveLIFO/SetLimit", queue.AdaptiveLIFO, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stress(t, tc.policy, tc.setLimit)
		})
	}
}

func stress(t *testing.T, policy queue.Policy, setLimit bool) {
	const limit, goroutines = 4, 32
	iters := 300
	if testing.Short() {
		iters = 50
	}
	q := mustNew(t, queue.Config{Limit: limit, MaxDepth: goroutines, MaxWait: time.Minute, Policy: policy})

	// A lost slot would strand waiters for MaxWait: stop at a deadline
	// instead, and let the checks below report it.
	parent, stopAll := context.WithTimeout(context.Background(), 30*time.Second)
	defer stopAll()

	var holding atomic.Int64
	var admitted, canceled, timedOut atomic.Uint64
	stop := make(chan struct{})
	var churn sync.WaitGroup
	if setLimit {
		churn.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := q.SetLimit(1 + i%7); err != nil {
					t.Error(err)
				}
				runtime.Gosched()
			}
		})
	}

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 42))
			var cancels sync.WaitGroup
			defer cancels.Wait()
			for range iters {
				if rng.IntN(8) == 0 {
					if q.TryAcquire() {
						admitted.Add(1)
						hold(t, q, &holding, setLimit, rng)
					}
					continue
				}
				ctx, cancel := context.WithCancel(parent)
				switch rng.IntN(4) {
				case 0: // already done
					cancel()
				case 1: // ends while the Acquire starts, waits or is handed a slot
					spins := rng.IntN(4)
					cancels.Go(func() {
						for range spins {
							runtime.Gosched()
						}
						cancel()
					})
				}
				err := q.Acquire(ctx)
				switch {
				case err == nil:
					admitted.Add(1)
					hold(t, q, &holding, setLimit, rng)
				case ctx.Err() != nil && errors.Is(err, ctx.Err()):
					canceled.Add(1)
				case errors.Is(err, queue.ErrTimeout): // CoDel under a slow scheduler
					timedOut.Add(1)
				default:
					t.Errorf("Acquire: %v", err)
				}
				cancel()
			}
		})
	}
	wg.Wait()
	close(stop)
	churn.Wait()
	if parent.Err() != nil {
		t.Errorf("stalled for 30s: a slot was lost or a waiter stranded (%+v)", q.Stats())
	}
	if err := q.SetLimit(limit); err != nil {
		t.Fatal(err)
	}

	s := q.Stats()
	if s.InFlight != 0 || s.Depth != 0 {
		t.Fatalf("at the end: InFlight %d, Depth %d; want 0, 0 (%+v)", s.InFlight, s.Depth, s)
	}
	if s.Admitted != admitted.Load() || s.Canceled != canceled.Load() ||
		s.TimedOut+s.Dropped != timedOut.Load() || s.RejectedFull != 0 {
		t.Errorf("stats %+v disagree with the callers: admitted %d, canceled %d, timed out %d, full 0",
			s, admitted.Load(), canceled.Load(), timedOut.Load())
	}
	fill(t, q) // exactly limit slots
	for range limit {
		q.Release()
	}
	t.Logf("admitted %d (queued %d), canceled %d, timed out %d",
		s.Admitted, s.Queued, s.Canceled, s.TimedOut+s.Dropped)
}

// hold holds a slot for a few scheduling rounds and checks the limit.
func hold(t *testing.T, q *queue.Queue, holding *atomic.Int64, setLimit bool, rng *rand.Rand) {
	if n := holding.Add(1); !setLimit && n > int64(q.Limit()) {
		t.Errorf("%d holders, limit %d", n, q.Limit())
	}
	for range rng.IntN(3) {
		runtime.Gosched()
	}
	holding.Add(-1)
	q.Release()
}
