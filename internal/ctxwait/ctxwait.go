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
// together with every other call held through it: share (a draw of U(0,
// 1), see Share) of min(spread, max, half the time ctx has left). Spread
// over that much, the calls held back reach the destination as a ramp,
// not a burst, and each keeps half its time for the call itself.
//
// The share is drawn by the caller when the call starts waiting, not
// here: the calls a recovery lets go wake together and would draw in
// whatever order they ran, where they start waiting one by one, so that
// a seeded source repeats a run.
func SlowStart(ctx context.Context, share float64, spread, maxSpread time.Duration) time.Duration {
	spread = min(spread, maxSpread)
	if dl, ok := ctx.Deadline(); ok {
		spread = min(spread, time.Until(dl)/2)
	}
	if spread <= 0 {
		return 0
	}
	return time.Duration(share * float64(spread))
}

// Share returns a number uniform in [0, 1) for SlowStart: r's, clamped
// into [0, 1), or math/rand/v2's when r is nil.
func Share(r func() float64) float64 {
	if r == nil {
		return rand.Float64()
	}
	switch x := r(); {
	case x >= 0 && x < 1:
		return x
	case x >= 1:
		return maxShare
	default: // negative or NaN
		return 0
	}
}

// maxShare is the largest float64 below 1.
const maxShare = 1 - 0x1p-53

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
