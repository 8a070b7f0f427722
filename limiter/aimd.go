package limiter

// aimd is the state of the AIMD algorithm, guarded by Concurrency.mu.
//
// Additive increase: a success admitted while at least half the limit was
// in flight (so the limit was actually in use, as Netflix's AIMDLimit
// checks) counts toward a window; after limit such successes, about one
// round trip's worth, the limit grows by one, as TCP's congestion
// avoidance grows its window by one segment per round trip.
//
// Multiplicative decrease: a Dropped call (or one that took Timeout or
// longer) sets the limit to max(MinLimit, min(limit−1, ⌊limit·ratio⌋)),
// Netflix AIMDLimit's formula, and starts a new generation. Calls admitted
// before the latest decrease do not decrease it again: like TCP's fast
// recovery, which halves once per window of losses, a burst of drops
// from the calls that were in flight together backs off once, not once
// per call (0.9^50 would take a limit of 50 to 1).
type aimd struct {
	timeout   int64 // nanoseconds; 0: off
	successes int   // counted toward the next increase
}

// sample records the outcome of the call of t, done at now, and reports
// whether the limit changed. Requires x.mu held.
func (a *aimd) sample(x *Concurrency, now int64, t Token, o Outcome) bool {
	lim := int(x.limit.Load())
	if o == Dropped || (a.timeout > 0 && now-t.start >= a.timeout) {
		if t.gen != x.gen.Load() {
			return false // admitted before the latest decrease, which covered it
		}
		x.gen.Add(1)
		a.successes = 0
		return x.setLimit(min(lim-1, int(float64(lim)*x.ratio)))
	}
	if int(t.inFlight)*2 < lim {
		return false // the limit is not in use: nothing learnt
	}
	a.successes++
	if a.successes < lim {
		return false
	}
	a.successes = 0
	return x.setLimit(lim + 1)
}
