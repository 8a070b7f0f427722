package limiter_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

// A cut while calls wait gives them turns at the new rate in the order
// they came: the calls the new rate cannot serve before their deadlines
// are the last to have come, refused at the cut; those that came first
// keep the first turns. (Woken to queue again on their own, they took
// turns in whatever order they ran, and a random share of the queue was
// refused, early comers that had waited longest among them.)
func TestAdaptiveRateCutKeepsOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := mustAdaptiveRate(t, limiter.AdaptiveRateConfig{MaxRate: 100, Burst: 1})
		// Two seconds at the rate, reported served: the send rate the cut
		// starts from is 100/s.
		sendAtRate(t, a)
		t0 := time.Now()
		const n = 100
		type outcome struct {
			at  time.Duration // since t0
			err error
		}
		got := make([]outcome, n)
		var wg sync.WaitGroup
		for k := range n {
			wg.Go(func() {
				// One deadline for all: the turns alone decide who fits.
				ctx, cancel := context.WithDeadline(context.Background(), t0.Add(700*time.Millisecond))
				defer cancel()
				err := a.Wait(ctx)
				got[k] = outcome{time.Since(t0), err}
			})
			time.Sleep(time.Millisecond)
		}
		time.Sleep(100*time.Millisecond - n*time.Millisecond) // (n ms have passed)
		cut := time.Since(t0)
		a.Throttled() // 100/s → 70/s
		wg.Wait()
		if l := a.Limit(); l < 60 || l > 80 {
			t.Fatalf("rate after the cut %v, want about 70/s", l)
		}
		lastAdmitted, firstRefusedAtCut := -1, n
		for k, o := range got {
			switch {
			case o.err == nil:
				if firstRefusedAtCut < k {
					t.Errorf("call %d was admitted, after call %d was refused at the cut", k, firstRefusedAtCut)
				}
				if lastAdmitted >= 0 && o.at < got[lastAdmitted].at {
					t.Errorf("call %d admitted at %v, before call %d (at %v) that came earlier", k, o.at, lastAdmitted, got[lastAdmitted].at)
				}
				lastAdmitted = k
			case !errors.Is(o.err, limiter.ErrLimited):
				t.Errorf("call %d: %v, want nil or ErrLimited", k, o.err)
			case o.at == cut:
				firstRefusedAtCut = min(firstRefusedAtCut, k)
			case o.at > cut:
				t.Errorf("call %d refused at %v, after the cut (%v): it waited to be refused", k, o.at, cut)
			}
		}
		if lastAdmitted < 0 || firstRefusedAtCut == n {
			t.Fatalf("last admitted %d, first refused at the cut %d: want both (the cut leaves more waiters than it can serve)", lastAdmitted, firstRefusedAtCut)
		}
		t.Logf("cut at %v: calls 0-%d admitted in order, %d-%d refused at the cut", cut, lastAdmitted, firstRefusedAtCut, n-1)
	})
}

// A small cut (under a tenth: the served rate kept, as transport's gate
// sets KeepServed) leaves the waiters their turns: queued again, the back
// of a queue as long as the deadlines would be refused, after waiting
// nearly all its time, for the few milliseconds the cut moves its turns.
func TestAdaptiveRateSmallCutKeepsTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := mustAdaptiveRate(t, limiter.AdaptiveRateConfig{MaxRate: 100, Burst: 1, Beta: 0.95})
		sendAtRate(t, a)
		t0 := time.Now()
		const n = 50
		at := make([]time.Duration, n)
		var wg sync.WaitGroup
		for k := range n {
			wg.Go(func() {
				ctx, cancel := context.WithDeadline(context.Background(), t0.Add(10*(n+1)*time.Millisecond))
				defer cancel()
				if err := a.Wait(ctx); err != nil {
					t.Errorf("call %d: %v, want its turn (the deadline is past the last turn)", k, err)
				}
				at[k] = time.Since(t0)
			})
			time.Sleep(time.Nanosecond) // in order
		}
		time.Sleep(100 * time.Millisecond)
		a.Throttled() // 100/s → 95/s
		wg.Wait()
		if l := a.Limit(); l < 90 || l > 99 {
			t.Fatalf("rate after the cut %v, want about 95/s", l)
		}
		for k, d := range at {
			if want := time.Duration(k+1) * 10 * time.Millisecond; d < want-time.Microsecond || d > want+time.Microsecond {
				t.Errorf("call %d went at %v, want its turn at %v", k, d, want)
			}
		}
	})
}

// sendAtRate sends calls through a for two seconds as fast as its rate
// lets them go, each reported served: the send rate a cut then starts
// from is the rate.
func sendAtRate(t *testing.T, a *limiter.AdaptiveRate) {
	t.Helper()
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		if err := a.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		a.Succeeded()
	}
}
