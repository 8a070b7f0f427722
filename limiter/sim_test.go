package limiter_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

// server is a simulated destination of capacity c: up to c calls in
// flight take base each; beyond c, they queue for the cores, and a call
// that arrives with n in flight takes base·n/c. With dropAbove, it
// refuses (fast, with a 503, say) every call beyond c instead.
type server struct {
	c         int
	base      time.Duration
	dropAbove bool
	inFlight  atomic.Int64
}

// call serves one call and returns its outcome.
func (s *server) call() limiter.Outcome {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	if n > int64(s.c) && s.dropAbove {
		time.Sleep(s.base / 10)
		return limiter.Dropped
	}
	time.Sleep(time.Duration(float64(s.base) * max(1, float64(n)/float64(s.c))))
	return limiter.Success
}

// simulate drives x with 3c closed-loop clients for d in a synctest bubble
// (a rejected client retries after base) and returns the limit sampled
// every 100ms.
func simulate(t *testing.T, cfg limiter.ConcurrencyConfig, s *server, d time.Duration) []int {
	var limits []int
	synctest.Test(t, func(t *testing.T) {
		x := mustConcurrency(t, cfg)
		end := time.Now().Add(d)
		var wg sync.WaitGroup
		for range 3 * s.c {
			wg.Go(func() {
				for time.Now().Before(end) {
					tok, err := x.Acquire()
					if err != nil {
						time.Sleep(s.base)
						continue
					}
					tok.Done(s.call())
				}
			})
		}
		for time.Now().Before(end) {
			limits = append(limits, x.Limit())
			time.Sleep(100 * time.Millisecond)
		}
		wg.Wait()
	})
	return limits
}

// checkConverged logs the limit once a second and checks that its mean
// over the second half is within [c/2, 2c].
func checkConverged(t *testing.T, limits []int, c int) {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(limits); i += 10 {
		fmt.Fprintf(&b, " %d", limits[i])
	}
	t.Logf("capacity %d; limit every second:%s", c, b.String())
	tail := limits[len(limits)/2:]
	sum, lo, hi := 0, tail[0], tail[0]
	for _, l := range tail {
		sum += l
		lo, hi = min(lo, l), max(hi, l)
	}
	mean := float64(sum) / float64(len(tail))
	t.Logf("second half: mean %.1f (%.2f× capacity), min %d, max %d", mean, mean/float64(c), lo, hi)
	if mean < float64(c)/2 || mean > 2*float64(c) {
		t.Fatalf("mean limit %.1f not within [%d, %d] of capacity %d", mean, c/2, 2*c, c)
	}
}

// The Gradient limit, starting far below and far above the capacity of a
// destination whose latency grows with queueing, settles near
// (1+Buffer)·C + √((1+Buffer)·C), 1.5C for C = 20 with the defaults.
func TestGradientConvergesSimulated(t *testing.T) {
	for _, initial := range []int{5, 200} {
		t.Run(fmt.Sprint("from ", initial), func(t *testing.T) {
			s := &server{c: 20, base: 10 * time.Millisecond}
			limits := simulate(t, limiter.ConcurrencyConfig{
				Algorithm: limiter.Gradient, Limit: initial,
				Gradient: limiter.GradientConfig{MinRTTInterval: 5 * time.Second},
			}, s, 20*time.Second)
			checkConverged(t, limits, s.c)
		})
	}
}

// The AIMD limit, against a destination that refuses calls beyond its
// capacity, saws between 0.9C and C.
func TestAIMDConvergesSimulated(t *testing.T) {
	for _, initial := range []int{5, 200} {
		t.Run(fmt.Sprint("from ", initial), func(t *testing.T) {
			s := &server{c: 20, base: 10 * time.Millisecond, dropAbove: true}
			limits := simulate(t, limiter.ConcurrencyConfig{Algorithm: limiter.AIMD, Limit: initial}, s, 20*time.Second)
			checkConverged(t, limits, s.c)
		})
	}
}

// Gradient also backs off on refusals, which are fast: a latency-only
// controller would take them for a fast destination and grow.
func TestGradientConvergesOnDropsSimulated(t *testing.T) {
	s := &server{c: 20, base: 10 * time.Millisecond, dropAbove: true}
	limits := simulate(t, limiter.ConcurrencyConfig{Algorithm: limiter.Gradient, Limit: 200}, s, 20*time.Second)
	checkConverged(t, limits, s.c)
}
