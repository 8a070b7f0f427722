package breaker

import (
	"math"
	"time"
)

// transition moves the breaker from state word `from` to state `to` at
// now (nanoseconds since base), if the state word is still `from`: the
// first of concurrent callers wins, the others get false. The winner, and
// only it, calls OnStateChange, after the lock is released.
func (b *Breaker) transition(from uint64, to State, now int64) bool {
	cs := b.c()
	cs.mu.Lock()
	if b.word.Load() != from {
		cs.mu.Unlock()
		return false
	}
	ch := b.commitLocked(cs, from, to, now)
	cs.mu.Unlock()
	b.notify(ch)
	return true
}

// expire moves an open breaker (state word w) to half-open, at its
// OpenUntil. Its timer calls it; so do Allow, State and Snapshot once the
// break has ended, whichever comes first.
func (b *Breaker) expire(w uint64) {
	b.transition(w, HalfOpen, b.c().openUntil.Load())
}

// commitLocked makes the transition from state word cur to state `to` at
// now: it prepares the new state (open time, timer, counters, reject
// error), then publishes it with one CompareAndSwap of the state word, so
// that whoever sees the new word also sees what was prepared for it. It
// returns the notification to send once cs.mu is released.
//
// Requires cs.mu held, cs b's cold part, and cur the current state word.
func (b *Breaker) commitLocked(cs *cold, cur uint64, to State, now int64) StateChange {
	gen := genOf(cur) + 1
	next := b.word0(gen, to)
	if cs.timer != nil { // leaving the open state, whatever the new one
		cs.timer.Stop()
		cs.timer = nil
	}
	var breakFor time.Duration
	switch to {
	case Open:
		cs.run++
		if cs.run == 1 {
			cs.downSince.Store(now)
		}
		breakFor = b.set.breakDur
		if bo := b.set.breakBackoff; bo != nil {
			breakFor = max(bo.Backoff(cs.run-1), 0)
		}
		until := now + int64(breakFor)
		if until < now { // overflow: open for ~292 years
			until = math.MaxInt64
		}
		cs.openUntil.Store(until)
		cs.breakLen.Store(int64(breakFor))
		cs.rejectErr.Store(&OpenError{Key: b.name, State: Open, RetryAt: b.base.Add(time.Duration(until))})
		cs.trips.Add(1)
	case HalfOpen:
		cs.probeSlots.Store(uint64(uint32(gen)) << 32)
		cs.hoSuccess.Store(uint64(uint32(gen)) << 32)
		cs.rejectErr.Store(&OpenError{Key: b.name, State: HalfOpen})
	case Closed: // from half-open, or Reset
		cs.run = 0
		b.resetCounts()
	case Disabled:
		if stateOf(cur) != Closed {
			b.resetCounts()
		}
	case Isolated:
		cs.rejectErr.Store(&OpenError{Key: b.name, State: Isolated})
	}
	if !b.word.CompareAndSwap(cur, next) {
		// Every writer of the word holds cs.mu, so this cannot happen.
		panic("breaker: state word changed under the lock")
	}
	if to == Open {
		cs.timer = time.AfterFunc(breakFor, func() { b.expire(next) })
	}
	// Wake the waiters, if any: they look at the new state.
	cs.wake()
	return StateChange{
		Name:       b.name,
		From:       stateOf(cur),
		To:         to,
		Generation: gen,
		At:         b.base.Add(time.Duration(now)),
		Snapshot:   Snapshot{State: to, Generation: gen, OpenUntil: b.openUntilTime(to)},
	}
}

// resetCounts empties the window and the run of consecutive failures.
func (b *Breaker) resetCounts() {
	b.consecutive.Store(0)
	if b.cw != nil {
		b.cw.reset()
		return
	}
	b.tw0.reset()
	if tw := b.tw.Load(); tw != nil {
		tw.reset()
	}
}

// openUntilTime returns OpenUntil as a time for state s: zero unless open.
func (b *Breaker) openUntilTime(s State) time.Time {
	if s != Open {
		return time.Time{}
	}
	return b.base.Add(time.Duration(b.c().openUntil.Load()))
}

// notify completes ch's snapshot and calls OnStateChange, if set. It must
// be called without the cold part's mu held.
func (b *Breaker) notify(ch StateChange) {
	onChange := b.set.onChange
	if onChange == nil {
		return
	}
	s := b.snapshot(b.word0(ch.Generation, ch.To), 0)
	s.OpenUntil = ch.Snapshot.OpenUntil
	ch.Snapshot = s
	onChange(ch)
}

// stop stops the open state's timer, if any; a Group calls it on a
// breaker it evicts. A breaker still in use moves to half-open lazily.
func (b *Breaker) stop() {
	if stateOf(b.word.Load()) != Open {
		// Only the open state has a timer. One that opens as we look
		// keeps its timer, which fires into a breaker nobody holds.
		return
	}
	cs := b.c()
	cs.mu.Lock()
	if cs.timer != nil {
		cs.timer.Stop()
		cs.timer = nil
	}
	cs.mu.Unlock()
}

// Half-open counters pack uint32(gen)<<32 | count.

// acquireProbe takes a probe slot of half-open state word w, if one is
// free.
func (b *Breaker) acquireProbe(w uint64) bool {
	g, cs := uint32(genOf(w)), b.c()
	for {
		v := cs.probeSlots.Load()
		if uint32(v>>32) != g || uint32(v) >= b.set.probes {
			return false
		}
		if cs.probeSlots.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// releaseProbe frees a probe slot of half-open state word w, if w is still
// the state whose slots the counter holds.
func (b *Breaker) releaseProbe(w uint64) {
	g, cs := uint32(genOf(w)), b.c()
	for {
		v := cs.probeSlots.Load()
		if uint32(v>>32) != g || uint32(v) == 0 {
			return
		}
		if cs.probeSlots.CompareAndSwap(v, v-1) {
			return
		}
	}
}

// probeSucceeded counts a successful probe of half-open state word w and
// reports whether it is the one that reaches HalfOpenSuccesses.
func (b *Breaker) probeSucceeded(w uint64) bool {
	g, cs := uint32(genOf(w)), b.c()
	for {
		v := cs.hoSuccess.Load()
		if uint32(v>>32) != g {
			return false
		}
		if cs.hoSuccess.CompareAndSwap(v, v+1) {
			return uint32(v)+1 == b.set.needSuccesses
		}
	}
}
