package queue_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/queue"
)

func TestLimitRespected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, callers = 3, 12
		q := mustNew(t, queue.Config{Limit: limit, MaxDepth: callers, Policy: queue.FIFO})
		var holding, most atomic.Int64
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				if err := q.Acquire(t.Context()); err != nil {
					t.Errorf("Acquire: %v", err)
					return
				}
				n := holding.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(10 * time.Millisecond)
				holding.Add(-1)
				q.Release()
			})
		}
		synctest.Wait()
		if s := q.Stats(); s.InFlight != limit || s.Depth != callers-limit {
			t.Errorf("while busy: InFlight %d, Depth %d; want %d, %d", s.InFlight, s.Depth, limit, callers-limit)
		}
		wg.Wait()
		if got := most.Load(); got != limit {
			t.Errorf("at most %d held a slot at once, want %d", got, limit)
		}
		s := q.Stats()
		if s.InFlight != 0 || s.Depth != 0 || s.Admitted != callers || s.Queued != callers-limit {
			t.Errorf("after: %+v; want InFlight 0, Depth 0, Admitted %d, Queued %d", s, callers, callers-limit)
		}
	})
}

func TestTryAcquire(t *testing.T) {
	q := mustNew(t, queue.Config{Limit: 2})
	fill(t, q)
	q.Release()
	if !q.TryAcquire() {
		t.Fatal("TryAcquire after a Release = false")
	}
	q.Release()
	q.Release()
	if s := q.Stats(); s.InFlight != 0 || s.Admitted != 3 {
		t.Errorf("InFlight %d, Admitted %d; want 0, 3", s.InFlight, s.Admitted)
	}
}

func TestTryAcquireDoesNotJumpTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 2})
		fill(t, q)
		w := acquireAsync(t.Context(), q)
		synctest.Wait()
		if err := q.SetLimit(3); err != nil { // the new slot goes to the waiter
			t.Fatal(err)
		}
		synctest.Wait()
		mustAdmit(t, w, "waiter")
		if q.TryAcquire() {
			t.Fatal("TryAcquire took a slot past the limit")
		}
		// With a waiter queued and a slot free at once, TryAcquire defers
		// to the waiter.
		w2 := acquireAsync(t.Context(), q)
		synctest.Wait()
		q.Release()
		synctest.Wait()
		mustAdmit(t, w2, "second waiter")
		for range 3 {
			q.Release()
		}
	})
}

func TestErrFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 2, MaxDepth: 3})
		fill(t, q)
		var waiters []<-chan error
		for range 3 {
			waiters = append(waiters, acquireAsync(t.Context(), q))
		}
		synctest.Wait()
		start := time.Now()
		err := q.Acquire(t.Context())
		if !errors.Is(err, queue.ErrFull) {
			t.Fatalf("Acquire with a full queue: %v, want ErrFull", err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("ErrFull after %v, want at once", d)
		}
		const want = "queue: full: 3 waiting (MaxDepth 3), 2 in flight (limit 2)"
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if errors.Is(err, queue.ErrTimeout) {
			t.Error("ErrFull also matches ErrTimeout")
		}
		if s := q.Stats(); s.RejectedFull != 1 || s.Depth != 3 {
			t.Errorf("RejectedFull %d, Depth %d; want 1, 3", s.RejectedFull, s.Depth)
		}
		for range 5 {
			q.Release()
		}
		synctest.Wait()
		for i, w := range waiters {
			mustAdmit(t, w, "waiter "+strconv.Itoa(i))
		}
	})
}

func TestDepthFollowsLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 2}) // MaxDepth 0: equal to the limit
		fill(t, q)
		a, b := acquireAsync(t.Context(), q), acquireAsync(t.Context(), q)
		synctest.Wait()
		if err := q.Acquire(t.Context()); !errors.Is(err, queue.ErrFull) ||
			!strings.Contains(err.Error(), "2 waiting (MaxDepth 2)") {
			t.Fatalf("third waiter at limit 2: %v, want ErrFull at depth 2", err)
		}
		// Lowering the limit lowers the depth; raising it admits.
		if err := q.SetLimit(1); err != nil {
			t.Fatal(err)
		}
		if err := q.Acquire(t.Context()); !errors.Is(err, queue.ErrFull) {
			t.Fatalf("at limit 1: %v, want ErrFull", err)
		}
		if err := q.SetLimit(4); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		mustAdmit(t, a, "a")
		mustAdmit(t, b, "b")
		for range 4 {
			q.Release()
		}
	})
}

func TestNoQueue(t *testing.T) {
	q := mustNew(t, queue.Config{Limit: 1, NoQueue: true})
	if err := q.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := q.Acquire(context.Background())
	if !errors.Is(err, queue.ErrFull) {
		t.Fatalf("second Acquire: %v, want ErrFull", err)
	}
	if want := "queue: full: 1 in flight (limit 1), queueing off (NoQueue)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	q.Release()
	if err := q.Acquire(context.Background()); err != nil {
		t.Fatalf("after Release: %v", err)
	}
	q.Release()
}

func TestMaxWait(t *testing.T) {
	for _, p := range []queue.Policy{queue.FIFO, queue.AdaptiveLIFO} {
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const maxWait = 300 * time.Millisecond
				q := mustNew(t, queue.Config{Limit: 1, MaxWait: maxWait, Policy: p,
					Target: time.Second, Interval: time.Second}) // no CoDel drop before MaxWait
				fill(t, q)
				start := time.Now()
				err := q.Acquire(t.Context())
				if d := time.Since(start); d != maxWait {
					t.Errorf("gave up after %v, want exactly MaxWait %v", d, maxWait)
				}
				if !errors.Is(err, queue.ErrTimeout) {
					t.Fatalf("Acquire: %v, want ErrTimeout", err)
				}
				if want := "queue: wait timed out: waited 300ms (MaxWait 300ms), 1 in flight (limit 1)"; err.Error() != want {
					t.Errorf("message %q, want %q", err, want)
				}
				if s := q.Stats(); s.TimedOut != 1 || s.Dropped != 0 || s.Depth != 0 || s.InFlight != 1 {
					t.Errorf("stats %+v; want TimedOut 1, Dropped 0, Depth 0, InFlight 1", s)
				}
				q.Release()
			})
		})
	}
}

func TestContextCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1})
		fill(t, q)
		ctx, cancel := context.WithCancel(t.Context())
		w := acquireAsync(ctx, q)
		time.Sleep(20 * time.Millisecond)
		if d := q.Stats().Depth; d != 1 {
			t.Fatalf("Depth %d while waiting, want 1", d)
		}
		cancel()
		synctest.Wait()
		err, done := poll(w)
		if !done {
			t.Fatal("Acquire still waiting after cancel")
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Acquire: %v, want context.Canceled", err)
		}
		if errors.Is(err, queue.ErrTimeout) || errors.Is(err, queue.ErrFull) {
			t.Errorf("%v matches a queue sentinel", err)
		}
		if want := "queue: gave up after waiting 20ms: context canceled"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if s := q.Stats(); s.Depth != 0 || s.InFlight != 1 || s.Canceled != 1 {
			t.Errorf("stats %+v; want Depth 0, InFlight 1, Canceled 1", s)
		}
		// No trace: the next Release frees the slot, and it can be taken.
		q.Release()
		if s := q.Stats(); s.InFlight != 0 {
			t.Fatalf("InFlight %d after Release, want 0", s.InFlight)
		}
		if err := q.Acquire(t.Context()); err != nil {
			t.Fatalf("Acquire after the cancel: %v", err)
		}
		q.Release()
	})
}

func TestContextDeadlineWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1, MaxWait: time.Second})
		fill(t, q)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := q.Acquire(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ctx.Err()) {
			t.Fatalf("Acquire: %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Errorf("gave up after %v, want 50ms", d)
		}
		q.Release()
	})
}

func TestContextCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1})
		fill(t, q)
		cause := errors.New("client went away")
		ctx, cancel := context.WithCancelCause(t.Context())
		w := acquireAsync(ctx, q)
		synctest.Wait()
		cancel(cause)
		synctest.Wait()
		err := <-w
		if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
			t.Fatalf("Acquire: %v, want both context.Canceled and the cause", err)
		}
		if want := "queue: gave up after waiting 0s: context canceled (cause: client went away)"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		q.Release()
	})
}

func TestContextDoneBeforeQueueing(t *testing.T) {
	q := mustNew(t, queue.Config{Limit: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A free slot is taken without looking at ctx, as x/sync/semaphore does.
	if err := q.Acquire(ctx); err != nil {
		t.Fatalf("Acquire of a free slot with a done ctx: %v", err)
	}
	err := q.Acquire(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire that must wait with a done ctx: %v, want context.Canceled", err)
	}
	if want := "queue: context done before queueing: context canceled"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if s := q.Stats(); s.Depth != 0 || s.Canceled != 1 || s.InFlight != 1 {
		t.Errorf("stats %+v", s)
	}
	q.Release()
}

// TestCancelRacingHandOff hands the slot to a waiter whose context has just
// ended: whichever of the two wins, the waiter returns the context's error
// and the slot is not lost.
func TestCancelRacingHandOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for range 50 {
			q := mustNew(t, queue.Config{Limit: 1})
			fill(t, q)
			ctx, cancel := context.WithCancel(t.Context())
			w := acquireAsync(ctx, q)
			synctest.Wait()
			cancel()
			q.Release() // usually before the waiter runs: the slot is handed to it
			synctest.Wait()
			if err := <-w; !errors.Is(err, context.Canceled) {
				t.Fatalf("Acquire: %v, want context.Canceled", err)
			}
			if s := q.Stats(); s.InFlight != 0 || s.Depth != 0 || s.Admitted != 1 || s.Canceled != 1 {
				t.Fatalf("stats %+v; want InFlight 0, Depth 0, Admitted 1, Canceled 1", s)
			}
		}
	})
}

// TestCancelPassesSlotOn checks that a slot handed to a waiter whose
// context ended goes on to the next waiter.
func TestCancelPassesSlotOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1, MaxDepth: 2, Policy: queue.FIFO})
		fill(t, q)
		ctx, cancel := context.WithCancel(t.Context())
		first := acquireAsync(ctx, q)
		time.Sleep(time.Millisecond)
		second := acquireAsync(t.Context(), q)
		synctest.Wait()
		cancel()
		q.Release()
		synctest.Wait()
		if err := <-first; !errors.Is(err, context.Canceled) {
			t.Fatalf("first: %v, want context.Canceled", err)
		}
		mustAdmit(t, second, "second")
		if s := q.Stats(); s.InFlight != 1 || s.Depth != 0 {
			t.Fatalf("stats %+v; want InFlight 1, Depth 0", s)
		}
		q.Release()
	})
}

func TestFIFOOrder(t *testing.T) {
	for _, p := range []queue.Policy{queue.FIFO, queue.AdaptiveLIFO} {
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Under AdaptiveLIFO the queue is not overloaded before
				// Interval: it serves in FIFO order too.
				q := mustNew(t, queue.Config{Limit: 1, MaxDepth: 10, Policy: p})
				fill(t, q)
				var order []int
				var mu sync.Mutex
				var wg sync.WaitGroup
				for i := range 5 {
					wg.Go(func() {
						if err := q.Acquire(t.Context()); err != nil {
							t.Errorf("waiter %d: %v", i, err)
							return
						}
						mu.Lock()
						order = append(order, i)
						mu.Unlock()
					})
					time.Sleep(time.Millisecond) // arrive in order
				}
				for range 5 {
					q.Release()
					synctest.Wait()
				}
				wg.Wait()
				q.Release()
				if got := order; len(got) != 5 || got[0] != 0 || got[1] != 1 || got[2] != 2 || got[3] != 3 || got[4] != 4 {
					t.Errorf("served %v, want [0 1 2 3 4]", got)
				}
			})
		})
	}
}

func TestReleaseWakesOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 2, MaxDepth: 8})
		fill(t, q)
		var ws []<-chan error
		for range 6 {
			ws = append(ws, acquireAsync(t.Context(), q))
		}
		synctest.Wait()
		q.Release()
		synctest.Wait()
		admitted := 0
		for i, w := range ws {
			if err, done := poll(w); done {
				if err != nil {
					t.Fatalf("waiter %d: %v", i, err)
				}
				admitted++
				ws[i] = nil
			}
		}
		if admitted != 1 {
			t.Fatalf("one Release admitted %d waiters, want 1", admitted)
		}
		if s := q.Stats(); s.InFlight != 2 || s.Depth != 5 {
			t.Fatalf("stats %+v; want InFlight 2, Depth 5", s)
		}
		for range 7 {
			q.Release()
		}
		synctest.Wait()
		if s := q.Stats(); s.InFlight != 0 || s.Depth != 0 || s.Queued != 6 {
			t.Fatalf("stats %+v; want InFlight 0, Depth 0, Queued 6", s)
		}
	})
}

func TestReleaseWithoutAcquirePanics(t *testing.T) {
	q := mustNew(t, queue.Config{Limit: 1})
	defer func() {
		if recover() == nil {
			t.Error("Release without Acquire did not panic")
		}
		if s := q.Stats(); s.InFlight != 0 {
			t.Errorf("InFlight %d after the panic, want 0", s.InFlight)
		}
	}()
	q.Release()
}

func TestHugeDurations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1, MaxDepth: 2, MaxWait: math.MaxInt64, Interval: math.MaxInt64})
		fill(t, q)
		time.Sleep(time.Second) // now+MaxWait would overflow
		w := acquireAsync(t.Context(), q)
		time.Sleep(time.Hour)
		mustWait(t, w, "waiter after 1h")
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		if err := q.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("second waiter: %v, want the context's deadline", err)
		}
		q.Release()
		synctest.Wait()
		mustAdmit(t, w, "waiter after 2h")
		if s := q.Stats(); s.LongestWait != 2*time.Hour {
			t.Errorf("LongestWait %v, want 2h", s.LongestWait)
		}
		q.Release()
	})
}
