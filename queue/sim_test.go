package queue_test

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/queue"
)

// simResult is what an overload simulation observed.
type simResult struct {
	offered, admitted, full, timedOut int
	maxDepth                          int
	waits                             []time.Duration // of admissions after warm-up, sorted
	overloadWaits                     []time.Duration // of those, admissions while overloaded, sorted
	stats                             queue.Stats
}

// quantile returns the q-quantile of sorted ds (0 if empty).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// simulate offers load·limit/service requests per second (Poisson
// arrivals, a fixed seed) to a queue built from c for d of bubble time;
// each admitted request holds its slot for a time drawn from an
// exponential distribution of mean service. It must run in a synctest
// bubble. Waits are recorded for requests that arrive after warmUp, once
// the overload is established.
func simulate(t *testing.T, c queue.Config, load float64, service, d, warmUp time.Duration) simResult {
	q := mustNew(t, c)
	rate := load * float64(c.Limit) / service.Seconds() // arrivals per second
	rng := rand.New(rand.NewPCG(1, 2))

	var mu sync.Mutex
	var r simResult
	var wg sync.WaitGroup
	start := time.Now()
	for time.Since(start) < d {
		r.offered++
		r.maxDepth = max(r.maxDepth, q.Stats().Depth)
		measured := time.Since(start) >= warmUp
		hold := time.Duration(rng.ExpFloat64() * float64(service))
		wg.Go(func() {
			arrived := time.Now()
			err := q.Acquire(t.Context())
			waited := time.Since(arrived)
			// Bubble time does not move while this goroutine is
			// runnable, so the state seen here is the state at the grant.
			overloaded := q.Stats().Overloaded
			mu.Lock()
			switch {
			case err == nil:
				r.admitted++
				if measured {
					r.waits = append(r.waits, waited)
					if overloaded {
						r.overloadWaits = append(r.overloadWaits, waited)
					}
				}
			case errors.Is(err, queue.ErrFull):
				r.full++
			case errors.Is(err, queue.ErrTimeout):
				r.timedOut++
			default:
				t.Errorf("Acquire: %v", err)
			}
			mu.Unlock()
			if err == nil {
				time.Sleep(hold)
				q.Release()
			}
		})
		time.Sleep(time.Duration(rng.ExpFloat64() / rate * float64(time.Second)))
	}
	wg.Wait()
	r.stats = q.Stats()
	slices.Sort(r.waits)
	slices.Sort(r.overloadWaits)
	return r
}

// TestOverloadSimulation offers 3× the capacity for several seconds, with
// the default shallow depth (MaxDepth = Limit) and a deeper one, and checks
// that the default policy keeps the queue shallow and the waits of
// admitted requests short while the slots stay busy. FIFO runs alongside
// for comparison (logged, not checked beyond the depth).
func TestOverloadSimulation(t *testing.T) {
	const (
		limit   = 10
		service = 10 * time.Millisecond // mean; capacity 1000 requests/s
		load    = 3.0
		d       = 3 * time.Second
		warmUp  = 500 * time.Millisecond
	)
	target, interval := queue.DefaultConfig().Target, queue.DefaultConfig().Interval
	for _, depth := range []int{0, 10 * limit} {
		for _, policy := range []queue.Policy{queue.AdaptiveLIFO, queue.FIFO} {
			c := queue.Config{Limit: limit, MaxDepth: depth, Policy: policy} // MaxWait 1s, Target 5ms, Interval 100ms
			maxDepth := cmp.Or(depth, limit)
			t.Run(policy.String()+"/depth"+strconv.Itoa(maxDepth), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					r := simulate(t, c, load, service, d, warmUp)
					s := r.stats
					capacity := float64(limit) * d.Seconds() / service.Seconds()
					t.Logf("%v, MaxDepth %d: offered %d in %v (%.0f× capacity); admitted %d (%.0f%% of capacity), full %d, timed out %d (CoDel %d); max depth %d",
						policy, maxDepth, r.offered, d, load, r.admitted, 100*float64(r.admitted)/capacity,
						r.full, r.timedOut, s.Dropped, r.maxDepth)
					t.Logf("  admitted waits after warm-up: p50 %v, p99 %v, max %v; while overloaded (%d of %d): p99 %v, max %v",
						quantile(r.waits, 0.5), quantile(r.waits, 0.99), quantile(r.waits, 1),
						len(r.overloadWaits), len(r.waits), quantile(r.overloadWaits, 0.99), quantile(r.overloadWaits, 1))

					if r.maxDepth > maxDepth || s.Depth != 0 || s.InFlight != 0 {
						t.Errorf("max depth %d (want ≤ MaxDepth %d); at the end Depth %d, InFlight %d",
							r.maxDepth, maxDepth, s.Depth, s.InFlight)
					}
					if float64(r.admitted) < 0.9*capacity {
						t.Errorf("admitted %d, want ≥ 90%% of the capacity %.0f: slots sat idle", r.admitted, capacity)
					}
					if policy != queue.AdaptiveLIFO {
						return
					}
					// While overloaded, a waiter older than Target is never
					// served: it has been dropped.
					if got := quantile(r.overloadWaits, 1); got >= target {
						t.Errorf("an admission while overloaded waited %v, want < Target %v", got, target)
					}
					if len(r.overloadWaits) < len(r.waits)/3 {
						t.Errorf("overloaded for %d of %d admissions, want a third or more", len(r.overloadWaits), len(r.waits))
					}
					// The queue empties now and then even at 3× load (a lull
					// in arrivals lets it drain), and serves FIFO until it
					// has been non-empty for Interval again. Still, a waiter
					// that arrives in a busy period starting at B is dropped
					// by B+Interval, so no admitted wait exceeds Interval, and
					// the typical wait stays under Target.
					if got := quantile(r.waits, 1); got > interval {
						t.Errorf("an admitted request waited %v, want ≤ Interval %v", got, interval)
					}
					if got := quantile(r.waits, 0.5); got > target {
						t.Errorf("median wait of admitted requests %v, want ≤ Target %v", got, target)
					}
					if s.Dropped == 0 {
						t.Error("no CoDel drop under sustained overload")
					}
				})
			})
		}
	}
}
