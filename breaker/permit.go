package breaker

import "math/rand/v2"

// Permit is the admission of one call by [Breaker.Allow]; report the
// call's outcome with Done, or with the shorthands Success, Failure and
// Ignore.
//
// Done must be called exactly once per admitted call, ignored calls
// included: a half-open breaker admits only HalfOpenProbes calls at a time
// and frees a slot only on Done, so a Permit that is never done holds its
// slot until the half-open state ends (the slots of a half-open state all
// go with it, so a lost Permit cannot block later ones); a Permit done
// twice counts twice. The zero Permit (returned with an error) is valid
// and its Done does nothing.
//
// A Permit is a small value (a pointer and two words): pass it by value,
// it does not allocate. It remembers the state generation it was issued
// in: an outcome reported after the state has changed (the breaker
// tripped, closed, or was reset since Allow) is discarded, since it
// describes the destination as it was then.
type Permit struct {
	b     *Breaker
	w     uint64 // the state word at admission
	start int64  // nanoseconds since b.base at admission; with slow-call tracking or half-open only
}

// Done reports the call's outcome. See [Permit] for the rules. An
// undefined Outcome counts as Ignored.
//
// In the closed state a Success costs one atomic load (the generation
// check), a random stripe choice and one atomic add to that stripe's
// counter, and, only when the run of consecutive failures is not zero, a
// store to reset it; a clock read now and then keeps the coarse clock
// current. A Failure reads the clock, sums the window and may trip the
// breaker (and call OnStateChange on this goroutine).
func (p Permit) Done(o Outcome) {
	if o == Success && p.w&fastBit != 0 {
		p.b.success(p.w)
		return
	}
	p.b.done(p, o)
}

// Success is Done(Success).
func (p Permit) Success() { p.Done(Success) }

// Failure is Done(Failure).
func (p Permit) Failure() { p.Done(Failure) }

// Ignore is Done(Ignored): the call says nothing about the destination
// (the caller cancelled it, a limiter of our own rejected it).
func (p Permit) Ignore() { p.Done(Ignored) }

// State returns the state that admitted the call: Closed, HalfOpen (the
// call is a probe) or Disabled; Closed for the zero Permit.
func (p Permit) State() State { return stateOf(p.w) }

// Generation returns the state generation that admitted the call (see
// [Snapshot]); 0 for the zero Permit.
func (p Permit) Generation() uint64 { return genOf(p.w) }

// success records the success of a call admitted with state word w, a
// closed or disabled state without slow-call tracking: the hot path.
func (b *Breaker) success(w uint64) {
	if b.word.Load() != w {
		return // stale
	}
	// b.rand32(), by hand: rand32 is too big to inline, and a call
	// here would cost the hot path what a nil Rand must not.
	var r uint32
	if s := b.set; s.rand == nil {
		r = rand.Uint32()
	} else {
		r = s.seeded32()
	}
	var v int64
	if (r>>16)&b.kmask.Load() == 0 {
		v = b.refresh(b.since(), true, true)
	} else {
		v = b.epoch.Load()
	}
	if b.cw == nil {
		tw := b.addWindow()
		e := v >> idxBits
		bk := &tw.buckets[int(r&tw.mask*tw.stride)+int(v&(1<<idxBits-1))]
		var n uint64
		if bk.epoch.Load() == e {
			n = bk.calls.Add(1)
		} else {
			n = tw.add(bk, e, false, false)
		}
		if n == growAt && tw == &b.tw0 {
			b.grow()
		}
	} else {
		b.cw.add(false, false)
	}
	if b.consecutive.Load() != 0 {
		b.consecutive.Store(0)
	}
}

// done is Done's path for everything but a plain closed success.
func (b *Breaker) done(p Permit, o Outcome) {
	if b == nil {
		return // the zero Permit
	}
	if o > Ignored {
		o = Ignored // an undefined outcome counts neither way
	}
	var now int64
	clocked, slow := false, false
	if b.set.slowDur > 0 && o != Ignored {
		now, clocked = b.since(), true
		slow = now-p.start >= b.set.slowDur
	}
	cur := b.word.Load()
	if cur != p.w {
		// Stale: the state changed since Allow. A probe's slot went with
		// its half-open state (a new one starts with all slots free), so
		// there is nothing to release either.
		return
	}
	switch stateOf(cur) {
	case HalfOpen:
		switch {
		case o == Ignored:
			b.releaseProbe(cur)
		case o == Failure || slow:
			// Open first: the probe's slot goes with the half-open state.
			// Released before, it could admit another call in the
			// instant before the transition, and that one another.
			if !clocked {
				now = b.since()
			}
			b.refresh(now, true, false)
			b.transition(cur, Open, now)
		default:
			b.releaseProbe(cur)
			if b.probeSucceeded(cur) {
				if !clocked {
					now = b.since()
				}
				b.transition(cur, Closed, now)
			}
		}
	case Closed, Disabled:
		if o == Ignored {
			return
		}
		// A failure, or any outcome with slow-call tracking (a success
		// without it took Done's fast path).
		failure := o == Failure
		if !clocked {
			now = b.since()
		}
		v := b.refresh(now, true, false)
		e := v >> idxBits
		if b.cw == nil {
			tw := b.addWindow()
			n := tw.add(&tw.buckets[int(b.rand32()&tw.mask*tw.stride)+int(v&(1<<idxBits-1))], e, failure, slow)
			if n == growAt && tw == &b.tw0 {
				b.grow()
			}
		} else {
			b.cw.add(failure, slow)
		}
		var consec uint64
		if failure {
			consec = b.consecutive.Add(1)
		} else if b.consecutive.Load() != 0 {
			b.consecutive.Store(0)
		}
		if stateOf(cur) == Closed && (failure || slow) && b.shouldTrip(e, consec) {
			b.transition(cur, Open, now)
		}
	}
}

// shouldTrip reports whether a closed breaker must open, given the
// current epoch and run of consecutive failures.
func (b *Breaker) shouldTrip(e int64, consec uint64) bool {
	s := b.set
	if s.consecLimit > 0 && consec >= s.consecLimit {
		return true
	}
	calls, failures, slow := b.window(e)
	if calls == 0 || calls < s.minThroughput {
		return false
	}
	c := float64(calls)
	return float64(failures)/c >= s.failureRatio ||
		(s.slowDur > 0 && float64(slow)/c >= s.slowRatio)
}

// grow gives the window its stripes: calls now go to a striped window
// (summed with the first one, which keeps its counts until they age out).
// Concurrent growers make one each; the first to publish wins.
func (b *Breaker) grow() {
	if b.tw.Load() == nil {
		b.tw.CompareAndSwap(nil, newTimeWindow(b.set.stripes, int(b.set.nb)))
	}
}

// addWindow returns the time window that calls are added to: the striped
// one once grown, else the first.
func (b *Breaker) addWindow() *timeWindow {
	if tw := b.tw.Load(); tw != nil {
		return tw
	}
	return &b.tw0
}
