package backoff_test

import (
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// MaxBackoff bounds every draw: with the random source at its top, Backoff
// reaches it (or comes within a rounding of it), and never exceeds it.
func TestMaxBackoffBoundsEveryDraw(t *testing.T) {
	for _, j := range []backoff.Jitter{backoff.FullJitter, backoff.EqualJitter, backoff.DecorrelatedJitter, backoff.ProportionalJitter, backoff.NoJitter} {
		top, err := backoff.New(backoff.Config{Base: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: j, Rand: func() float64 { return 0.999999 }})
		if err != nil {
			t.Fatal(err)
		}
		bounded, ok := top.(backoff.Bounded)
		if !ok {
			t.Fatalf("%v: strategy is not Bounded", j)
		}
		for attempt := range 12 {
			hi, got := bounded.MaxBackoff(attempt), top.Backoff(attempt)
			if got > hi || float64(got) < 0.999*float64(hi) {
				t.Errorf("%v attempt %d: Backoff at the top of its draw = %v, MaxBackoff = %v", j, attempt, got, hi)
			}
		}
	}
	if got := backoff.Constant(3 * time.Second).(backoff.Bounded).MaxBackoff(7); got != 3*time.Second {
		t.Errorf("Constant MaxBackoff = %v, want 3s", got)
	}
}
