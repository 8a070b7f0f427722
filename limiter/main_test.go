package limiter_test

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/limiter"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func mustRate(t testing.TB, c limiter.RateConfig) *limiter.Rate {
	t.Helper()
	r, err := limiter.NewRate(c)
	if err != nil {
		t.Fatalf("NewRate(%+v): %v", c, err)
	}
	return r
}

func mustConcurrency(t testing.TB, c limiter.ConcurrencyConfig) *limiter.Concurrency {
	t.Helper()
	x, err := limiter.NewConcurrency(c)
	if err != nil {
		t.Fatalf("NewConcurrency(%+v): %v", c, err)
	}
	return x
}

func mustThrottle(t testing.TB, c limiter.ThrottleConfig) *limiter.Throttle {
	t.Helper()
	th, err := limiter.NewThrottle(c)
	if err != nil {
		t.Fatalf("NewThrottle(%+v): %v", c, err)
	}
	return th
}

// clock is a manual clock for the injected Now of Concurrency and
// Throttle.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// zeroRand is a Rand that always returns 0: no jitter, and the first
// reservoir slot.
func zeroRand() float64 { return 0 }
