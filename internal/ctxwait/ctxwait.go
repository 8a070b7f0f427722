package ctxwait

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleep waits d, or until ctx ends, reusing the timer *t (creating it
// when nil); it reports whether d passed. The caller stops *t when done.
func Sleep(ctx context.Context, t **time.Timer, d time.Duration) bool {
	select {
	case <-After(t, d):
		return true
	case <-ctx.Done():
		return false
	}
}

// SlowStart returns how much longer to hold a call let go by a recovery,
// together with every other call held through it: U(0, min(spread, max,
// half the time ctx has left)). Spread over that much, the calls held
// back reach the destination as a ramp, not a burst, and each keeps half
// its time for the call itself.
func SlowStart(ctx context.Context, spread, maxSpread time.Duration) time.Duration {
	spread = min(spread, maxSpread)
	if dl, ok := ctx.Deadline(); ok {
		spread = min(spread, time.Until(dl)/2)
	}
	if spread <= 0 {
		return 0
	}
	return rand.N(spread)
}

// After arms the timer *t (creating it when nil) to fire in d and returns
// its channel: for a select that also waits on something else. The
// caller stops *t when done.
func After(t **time.Timer, d time.Duration) <-chan time.Time {
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
	return (*t).C
}
