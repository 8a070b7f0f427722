package queue_test

import (
	"errors"
	"testing"
	"testing/synctest"

	"github.com/resilient-go/resilient/queue"
)

func TestSetLimitUpWakesWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 1, MaxDepth: 5})
		fill(t, q)
		var ws []<-chan error
		for range 4 {
			ws = append(ws, acquireAsync(t.Context(), q))
		}
		synctest.Wait()
		if err := q.SetLimit(4); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		admitted := 0
		for _, w := range ws {
			if err, done := poll(w); done {
				if err != nil {
					t.Fatal(err)
				}
				admitted++
			}
		}
		if admitted != 3 {
			t.Fatalf("raising the limit 1 → 4 admitted %d waiters, want 3", admitted)
		}
		if s := q.Stats(); s.Limit != 4 || s.InFlight != 4 || s.Depth != 1 {
			t.Fatalf("stats %+v; want Limit 4, InFlight 4, Depth 1", s)
		}
		for range 5 {
			q.Release()
		}
		synctest.Wait()
		if s := q.Stats(); s.InFlight != 0 || s.Depth != 0 {
			t.Fatalf("stats %+v; want InFlight 0, Depth 0", s)
		}
	})
}

func TestSetLimitDownDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := mustNew(t, queue.Config{Limit: 4})
		fill(t, q)
		w := acquireAsync(t.Context(), q)
		synctest.Wait()
		if err := q.SetLimit(2); err != nil {
			t.Fatal(err)
		}
		if q.Limit() != 2 {
			t.Fatalf("Limit() = %d, want 2", q.Limit())
		}
		// Holders keep their slots; releases are not handed over until
		// fewer than 2 are held.
		for held := 3; held >= 2; held-- {
			q.Release()
			synctest.Wait()
			mustWait(t, w, "waiter")
			if s := q.Stats(); s.InFlight != held {
				t.Fatalf("InFlight %d, want %d", s.InFlight, held)
			}
		}
		q.Release() // 2 → 1 held would be below the limit: the waiter gets it
		synctest.Wait()
		mustAdmit(t, w, "waiter")
		if s := q.Stats(); s.InFlight != 2 {
			t.Fatalf("InFlight %d, want 2", s.InFlight)
		}
		if q.TryAcquire() {
			t.Fatal("TryAcquire past the lowered limit")
		}
		q.Release()
		q.Release()
		fill(t, q) // exactly 2 again
		q.Release()
		q.Release()
	})
}

func TestSetLimitInvalid(t *testing.T) {
	q := mustNew(t, queue.Config{Limit: 3})
	for _, n := range []int{0, -1} {
		err := q.SetLimit(n)
		if !errors.Is(err, queue.ErrInvalidConfig) {
			t.Errorf("SetLimit(%d) = %v, want ErrInvalidConfig", n, err)
		}
	}
	if q.Limit() != 3 {
		t.Errorf("Limit() = %d after bad SetLimit, want 3", q.Limit())
	}
}
