package bench

import (
	"context"
	"errors"
	"time"

	"github.com/failsafe-go/failsafe-go/bulkhead"
	"github.com/failsafe-go/failsafe-go/ratelimiter"

	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
)

// SlotComparison: take and give back one concurrency slot (a bulkhead),
// uncontended (the limit is far above the goroutines taking slots).
func SlotComparison() Comparison {
	const limit = 1 << 20
	q, err := queue.New(queue.Config{Limit: limit})
	if err != nil {
		panic(err)
	}
	fixed, err := limiter.NewConcurrency(limiter.ConcurrencyConfig{Limit: limit})
	if err != nil {
		panic(err)
	}
	sem := semaphore.NewWeighted(limit)
	ch := make(chan struct{}, limit)
	fsBulkhead := bulkhead.New[any](limit)
	ctx := context.Background()

	res := opCase("resilient queue Acquire + Release", func() error {
		if err := q.Acquire(ctx); err != nil {
			return err
		}
		q.Release()
		return nil
	})
	res.Ours = true
	return Comparison{Name: "concurrency slot acquire + release (uncontended)", Cases: []Case{
		res,
		ours(opCase("resilient limiter.Concurrency (fixed)", func() error {
			tok, err := fixed.Acquire()
			if err != nil {
				return err
			}
			tok.Done(limiter.Success)
			return nil
		})),
		opCase("x/sync/semaphore", func() error {
			if err := sem.Acquire(ctx, 1); err != nil {
				return err
			}
			sem.Release(1)
			return nil
		}),
		opCase("channel semaphore", func() error {
			ch <- struct{}{}
			<-ch
			return nil
		}),
		opCase("failsafe-go bulkhead permit", func() error {
			if !fsBulkhead.TryAcquirePermit() {
				return errors.New("bulkhead: full")
			}
			fsBulkhead.ReleasePermit()
			return nil
		}),
	}}
}

// RateComparison: one rate-limit decision that admits the call, through
// our per-host limiter (x/time/rate underneath, plus a key lookup and a
// pushback check), through bare x/time/rate and through failsafe-go's
// bursty rate limiter.
func RateComparison() Comparison {
	const perSecond, burst = 1e9, 1 << 30
	ours, err := limiter.NewRate(limiter.RateConfig{Limit: perSecond, Burst: burst})
	if err != nil {
		panic(err)
	}
	bare := rate.NewLimiter(perSecond, burst)
	fsRate := ratelimiter.NewBursty[any](burst, time.Second)
	res := opCase("resilient limiter.Rate.Allow(host)", func() error { return ours.Allow("backend.test") })
	res.Ours = true
	return Comparison{Name: "rate limit decision (admitted)", Cases: []Case{
		res,
		opCase("x/time/rate Allow", func() error {
			if !bare.Allow() {
				return errors.New("rate: refused")
			}
			return nil
		}),
		opCase("failsafe-go ratelimiter permit (bursty)", func() error {
			if !fsRate.TryAcquirePermit() {
				return errors.New("ratelimiter: refused")
			}
			return nil
		}),
	}}
}
