package limiter

import (
	"cmp"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// turnWaiter is a call in [AdaptiveRate.Wait] that holds a turn on the bucket.
// The waiters are kept so that a new bucket (a cut, a release) can give
// them turns on it in the order of their old ones: first come, first
// served, and the calls that the new rate cannot serve before their
// deadlines are the last to have come, refused at once.
//
// Why not let them queue again on their own: woken together, they would
// take turns in the order the scheduler runs them. With a queue as long
// as the deadlines (open-loop traffic above a quota), every cut then
// refused a random share of it, calls that had already waited for most
// of their deadline among them: they failed late, after waiting, where
// the calls that had just come could have failed at once.
type turnWaiter struct {
	deadline time.Time         // zero: none
	res      *rate.Reservation // its turn; requeue replaces it
	turn     time.Time         // res's time to act: the queue's order
	gen      uint64            // bumped by each requeue
	// refused, when requeue found no turn before the deadline, is the
	// wait that turn would have needed.
	refused time.Duration
	idx     int // position in AdaptiveRate.waiters
}

// enqueue records w, unless the bucket its turn was taken on (lim) has
// been replaced since: then it returns false, and the caller gives the
// turn back and takes one on the new bucket. On success it returns the
// channel that the next requeue closes.
func (a *AdaptiveRate) enqueue(w *turnWaiter, lim *rate.Limiter) (chan struct{}, bool) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.lim.Load() != lim {
		return nil, false
	}
	w.idx = len(a.waiters)
	a.waiters = append(a.waiters, w)
	return a.renewedChan(), true
}

// dequeue forgets w. Requires a.wmu held.
func (a *AdaptiveRate) dequeueLocked(w *turnWaiter) {
	last := len(a.waiters) - 1
	a.waiters[w.idx] = a.waiters[last]
	a.waiters[w.idx].idx = w.idx
	a.waiters[last] = nil
	a.waiters = a.waiters[:last]
}

// replace makes lim the bucket and gives the waiters turns on it, in the
// order of their turns on the old one; a turnWaiter whose new turn would come
// after its deadline is refused (it finds refused set when it wakes).
// Then it wakes them. Requires a.mu held (a.wmu is taken here).
func (a *AdaptiveRate) replace(now time.Time, lim *rate.Limiter) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	ws := a.waiters
	slices.SortFunc(ws, func(x, y *turnWaiter) int { return cmp.Compare(x.turn.UnixNano(), y.turn.UnixNano()) })
	for i, w := range ws {
		w.idx = i
		if w.refused > 0 {
			continue // refused by an earlier replace, and not yet awake
		}
		w.gen++
		res := lim.ReserveN(now, 1) // always OK: burst ≥ 1
		d := res.DelayFrom(now)
		if !w.deadline.IsZero() && time.Until(w.deadline) < d {
			// The latest reservation, so the turn comes back whole for
			// the waiters behind, who have later deadlines or none.
			res.CancelAt(now)
			w.refused = max(d, time.Nanosecond)
			continue
		}
		w.res, w.turn = res, now.Add(d)
	}
	a.lim.Store(lim)
	a.wake()
}

// Backlog returns how long a call that came now would wait for its turn
// if ahead more calls took theirs first: 0 while no limit applies or a
// token is free for it. It reserves nothing. A stage that holds calls in
// front of the rate (transport's pushback gate) asks it, so that it does
// not hold a call for a turn that will come past its deadline anyway.
func (a *AdaptiveRate) Backlog(ahead int) time.Duration {
	if !a.limited.Load() {
		return 0
	}
	lim := a.lim.Load()
	r := lim.Limit()
	if r == rate.Inf || r <= 0 {
		return 0
	}
	need := float64(1+max(ahead, 0)) - lim.TokensAt(a.cfg.now())
	if need <= 0 {
		return 0
	}
	return time.Duration(need / float64(r) * float64(time.Second))
}
