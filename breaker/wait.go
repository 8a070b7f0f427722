package breaker

import (
	"context"
	"fmt"
	"time"

	"github.com/resilient-go/resilient/internal/ctxwait"
)

// Wait is [Breaker.Allow] for a caller that would rather wait than fail:
// gRPC's wait-for-ready for a breaker. Where Allow rejects a call, Wait
// keeps it when the breaker expects to admit it before ctx's deadline, and
// lets it go as soon as it does; it fails at once, with Allow's
// [*OpenError], when that moment lies past the deadline. Precisely, a
// rejected call waits while:
//
//   - the breaker is open or half-open (never when isolated, which ends
//     only when an operator acts);
//   - the next probe is due before the deadline (open), or a probe is in
//     flight (half-open);
//   - when the call starts waiting, the destination has been down (since
//     the first trip of this run of failed probes) for no more than five
//     times the time the call has left: an outage that has lasted D ends
//     within the next L with a chance of about L/(D+L) when outage lengths
//     are heavy-tailed, as they are, so once it has lasted five times
//     what callers can wait, they fail fast again instead of each sitting
//     out its deadline, while the probes go on finding out when it ends;
//   - fewer than MaxWaiters calls are waiting already.
//
// A call whose context has no deadline does not wait: with no deadline
// there is nothing to weigh the wait against, and a long outage would hold
// it for ever. (transport.New gives every call a deadline: TotalTimeout.)
// The wait starts no goroutine; it ends with the transition it waits for (the
// probe's time, the probe's outcome), or with ctx. When the break ends, the
// call that has waited longest is the probe, and the others wait for its
// outcome: which call is sent does not depend on which of the waiters,
// woken together, runs first. A call that waited
// through the recovery of its destination (half-open to closed) is then
// held a moment longer, a random share of the break it waited through (at
// most 1 s, at most half the time it has left), so that the calls held
// back during an outage reach the destination spread out (a slow start),
// not as one burst.
//
// When ctx ends during the wait, the error matches both ctx's error (and
// its cause) and [ErrOpen]. In the closed state Wait costs what Allow
// costs: one atomic load.
func (b *Breaker) Wait(ctx context.Context) (Permit, error) {
	w := b.word.Load()
	if w&fastBit != 0 {
		return Permit{b: b, w: w}, nil
	}
	return b.wait(ctx)
}

// wait is Wait's path for every state but closed and disabled without
// slow-call tracking.
func (b *Breaker) wait(ctx context.Context) (Permit, error) {
	cs := b.c()
	var (
		start   time.Time
		timer   *time.Timer
		waiting bool
		through bool    // waited through an open or half-open state
		share   float64 // of the slow start: drawn on entering the wait
		q       *waitQueue
		ticket  uint64 // this call's place in q, once waiting
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
		if waiting {
			cs.waiters.Add(-1)
			if q.leave(ticket) && stateOf(b.word.Load()) == HalfOpen {
				// The oldest leaves, with the probe or without it: the
				// next oldest may take a free probe slot now.
				cs.wake()
			}
		}
	}()
	for {
		changed := b.changedChan() // before the state: a transition after it wakes us
		w := b.word.Load()
		s := stateOf(w)
		if through && (s == Closed || s == Disabled) {
			through = false
			if d := b.slowStart(ctx, share); d > 0 {
				if !ctxwait.Sleep(ctx, &timer, d) {
					return Permit{}, b.waitError(ctx, start)
				}
				continue
			}
		}
		var err error
		if waiting && (s == Open || s == HalfOpen) && !q.first(ticket) {
			// A probe is for the oldest waiter (see waitQueue): this
			// call does not try the breaker, and waits for the next
			// transition, or for the oldest to leave.
			if s == Open && b.since() >= cs.openUntil.Load() {
				// The break is over and no timer has said so yet:
				// half-open, as Allow would make it, which wakes the
				// oldest.
				b.expire(w)
				continue
			}
			err = cs.rejectErr.Load()
		} else {
			p, aerr := b.allow(w)
			if aerr == nil {
				return p, nil
			}
			err = aerr
		}
		d, ok := b.expectedWait(ctx, w, !waiting)
		if !ok || (!waiting && cs.waiters.Load() >= b.set.maxWaiters) {
			b.countRejected()
			return Permit{}, err
		}
		if !waiting {
			// The slow start's draw is made now, not at the release:
			// the calls a recovery releases wake together and would
			// draw in whatever order they ran, where they enter one by
			// one, so that a seeded Config.Rand repeats a run.
			share = b.set.float()
			waiting, start = true, time.Now()
			cs.waiters.Add(1)
			q = cs.queue()
			ticket = q.enter()
		}
		through = true
		// Wait for the next transition; when open, also for the break's
		// end, in case no timer fires (the breaker was evicted from its
		// group, say): Allow then moves it to half-open itself.
		var expire <-chan time.Time
		if s == Open {
			expire = ctxwait.After(&timer, d)
		}
		select {
		case <-changed:
		case <-expire:
		case <-ctx.Done():
			return Permit{}, b.waitError(ctx, start)
		}
	}
}

// outageWaitFactor is how many times the time a call has left an outage
// may have lasted for the call to wait on entry (see Wait): about a one in
// six chance that the outage ends in time.
const outageWaitFactor = 5

// expectedWait reports whether a call rejected in state word w should
// wait, and for open, until when (the break's end). See Wait. The rule
// on the outage's length is for a call entering the wait: one already
// waiting is worth keeping as long as the next probe comes before its
// deadline (it has waited for that probe already).
func (b *Breaker) expectedWait(ctx context.Context, w uint64, entering bool) (time.Duration, bool) {
	var d time.Duration
	cs := b.c()
	switch stateOf(w) {
	case Open:
		d = max(time.Duration(cs.openUntil.Load()-b.since()), 0)
	case HalfOpen:
	default:
		return 0, false
	}
	dl, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	left := time.Until(dl)
	if d >= left || (entering && time.Duration(b.since()-cs.downSince.Load()) > outageWaitFactor*left) {
		return 0, false
	}
	return d, true
}

// changedChan returns the channel that the next transition closes,
// making it if no waiter has since the last one: a breaker whose calls
// never wait makes none.
func (b *Breaker) changedChan() chan struct{} {
	cs := b.c()
	for {
		if ch := cs.changed.Load(); ch != nil {
			return *ch
		}
		ch := make(chan struct{})
		if cs.changed.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

// maxSlowStart bounds the extra hold of a call released by a recovery.
const maxSlowStart = time.Second

// slowStart returns how much longer to hold a call let go by a recovery,
// together with every other call held through it: share (a draw of U(0,
// 1)) of min(the latest break, maxSlowStart, half the time ctx has left).
// Spread over that much, the calls held back reach the destination as a
// ramp, not a burst, and each keeps half its time for the call itself.
func (b *Breaker) slowStart(ctx context.Context, share float64) time.Duration {
	return ctxwait.SlowStart(ctx, share, time.Duration(b.c().breakLen.Load()), maxSlowStart)
}

// waitError is the error of a wait that ctx ended: it matches ctx's error
// (and cause) and ErrOpen.
func (b *Breaker) waitError(ctx context.Context, start time.Time) error {
	b.countRejected()
	waited := time.Duration(0)
	if !start.IsZero() {
		waited = time.Since(start)
	}
	return fmt.Errorf("breaker %q: gave up after waiting %v to be admitted: %w: %w", b.name, waited.Round(time.Millisecond), context.Cause(ctx), ErrOpen)
}

// Wait is Get(key).Wait(ctx).
func (g *Group) Wait(ctx context.Context, key string) (Permit, error) {
	return g.Get(key).Wait(ctx)
}
