package breaker

import (
	"sync/atomic"
	"time"
)

// The state word packs the generation, a flag and the state:
// gen<<genShift | fastBit? | state. fastBit is set when the state admits
// every call and the success path needs no clock (closed or disabled,
// without slow-call tracking), so that Allow and Done test one bit.
const (
	genShift  = 8
	fastBit   = 1 << 7
	stateMask = fastBit - 1
)

func stateOf(w uint64) State { return State(w & stateMask) }
func genOf(w uint64) uint64  { return w >> genShift }

// word0 returns the state word for gen and s.
func (b *Breaker) word0(gen uint64, s State) uint64 {
	w := gen<<genShift | uint64(s)
	if (s == Closed || s == Disabled) && b.set.slowDur == 0 {
		w |= fastBit
	}
	return w
}

// paddedCounter is a counter alone on its cache lines.
type paddedCounter struct {
	n atomic.Uint64
	_ [120]byte
}

// Breaker is a circuit breaker: it watches the outcomes of calls to one
// destination and, when too many fail (or are slow), rejects further calls
// for a while, so that a failing destination is not hammered and callers
// fail fast. See the package documentation for the state machine and the
// defaults.
//
// Use it in two steps around a call:
//
//	p, err := b.Allow()
//	if err != nil {
//		return err // errors.Is(err, breaker.ErrOpen); no call was made
//	}
//	err = call()
//	p.Done(outcome(err)) // Success, Failure or Ignored, exactly once
//
// Create a Breaker with [New]; the zero Breaker is not usable. It is safe
// for concurrent use, and designed for it: in the closed state, Allow is
// one atomic load, and Done (reporting a success) picks one of several
// cache-line-padded counter stripes at random and reads the clock only
// now and then, so concurrent callers on different cores rarely touch the
// same memory and nothing allocates. Rejections, failures, slow calls and
// transitions take slower paths (a clock read; a window sum; a mutex held
// for a transition, never while calling OnStateChange).
//
// A Breaker starts no goroutine of its own: when it opens it arms a
// [time.AfterFunc] timer that moves it to half-open at the end of the
// break, so that OnStateChange arrives on time even without calls, and
// stops the timer if it leaves the open state before then.
//
// Memory: a Breaker starts small, so that a [Group] meeting new keys all
// the time pays little for each: 160 bytes, plus, for a time window, one
// stripe of Buckets buckets of 32 bytes (320 bytes with the default 10,
// in the same allocation), and for a count window 4 bytes per call of its
// Size. What only a breaker that has tripped, rejected a call or held a
// waiter needs (112 bytes) is made by its first transition,
// rejection or wait. A
// time window grows its stripes once a bucket of the first one has
// counted 64 calls (calls come often enough for cores to meet on it): then
// it adds, per stripe, Buckets+4 buckets, about 3.5 KB at GOMAXPROCS 2 (8
// stripes) and 28 KB at GOMAXPROCS 16 or more (64 stripes). The first
// rejection adds a 128-byte counter per stripe.
type Breaker struct {
	// The first cache line: read by every call, and all that a Group's
	// eviction reads (word, lastUsed, base, set). word is written on
	// transitions, epoch and lastUsed at most about once per bucket
	// period, kmask rarely.
	word     atomic.Uint64 // genOf | fastBit | stateOf
	lastUsed atomic.Int64  // latest epoch seen by a clock read on a call path
	base     time.Time     // monotonic origin of every time in this breaker; read-only
	set      *settings     // shared by the breakers of a Group; read-only
	epoch    atomic.Int64  // coarse clock: packEpoch of the ticks since base, as last observed
	kmask    atomic.Uint32 // a success reads the clock with probability 1/(kmask+1)

	// Read-mostly: tw is written once (when the window grows), cold once
	// (when made); the others are read-only after New.
	tw   atomic.Pointer[timeWindow] // the striped time window, once grown; nil: tw0
	cold atomic.Pointer[cold]       // nil until the first transition, rejection or wait
	name string
	cw   *countWindow // nil for a time window
	tw0  timeWindow   // a time window's first, unstriped window

	// consecutive is written by failures, and by successes only when
	// non-zero: in the closed state it needs no line of its own.
	consecutive atomic.Uint64

	// Pads the Breaker to 160 bytes, so that the buckets that follow it
	// in a breakerInline start 32-byte aligned: a bucket then never
	// straddles two cache lines.
	_ [8]byte
}

// New returns a closed [Breaker] for c. It fills the zero fields of c with
// the values of [DefaultConfig], then validates them; a bad field gives an
// error wrapping [ErrInvalidConfig] whose message names the field and its
// value.
func New(c Config) (*Breaker, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	return newBreaker(c.Name, newSettings(c)), nil
}

// inlineBuckets is the most buckets a Breaker's first window holds in
// the Breaker's own allocation: the default 10, so that a new key costs
// one allocation of 480 bytes (the Breaker and its buckets: small enough
// that the runtime needs no header for its pointers), not two.
const inlineBuckets = 10

// breakerInline is a Breaker with room for its first window's buckets.
type breakerInline struct {
	b       Breaker
	buckets [inlineBuckets]bucket
}

// newBreaker builds a Breaker named name with settings s.
func newBreaker(name string, s *settings) *Breaker {
	var b *Breaker
	switch {
	case s.kind == CountWindow:
		b = &Breaker{cw: newCountWindow(s.size)}
	case s.nb <= inlineBuckets:
		x := new(breakerInline)
		b = &x.b
		b.tw0 = timeWindow{n: s.nb, stride: uint32(s.nb), buckets: x.buckets[:s.nb]}
	default:
		b = new(Breaker)
		b.tw0.init(1, int(s.nb))
	}
	b.name, b.base, b.set = name, time.Now(), s
	b.word.Store(b.word0(0, Closed))
	return b
}

// Name returns [Config.Name].
func (b *Breaker) Name() string { return b.name }

// Allow asks whether a call may be made now. If so it returns a [Permit],
// whose Done must be called exactly once with the call's outcome. If not
// it returns an [*OpenError] (errors.Is(err, ErrOpen)) and a zero Permit:
// the breaker is open, isolated, or half-open with all its probes in
// flight; the call must not be made.
//
// In the closed and disabled states Allow is one atomic load and does not
// allocate (with slow-call tracking it also reads the clock). An open
// breaker whose break has ended moves to half-open here, if its timer has
// not done so yet. Rejections do not allocate either: every caller
// rejected in one state generation receives the same OpenError.
func (b *Breaker) Allow() (Permit, error) {
	w := b.word.Load()
	if w&fastBit != 0 {
		return Permit{b: b, w: w}, nil
	}
	p, err := b.allow(w)
	if err != nil {
		b.countRejected()
	}
	return p, err
}

// countRejected counts one rejected call.
func (b *Breaker) countRejected() {
	cs := b.c()
	r := cs.rejected.Load()
	if r == nil {
		c := make([]paddedCounter, b.set.stripes)
		if !cs.rejected.CompareAndSwap(nil, &c) {
			r = cs.rejected.Load() // another rejection made them first
		} else {
			r = &c
		}
	}
	(*r)[b.rand32()&uint32(len(*r)-1)].n.Add(1)
}

// allow is Allow's path for every state but closed and disabled without
// slow-call tracking.
func (b *Breaker) allow(w uint64) (Permit, error) {
	for {
		switch stateOf(w) {
		case Closed, Disabled:
			p := Permit{b: b, w: w}
			if b.set.slowDur > 0 {
				p.start = b.since()
			}
			return p, nil
		case Open:
			now := b.since()
			b.refresh(now, true, false)
			if now >= b.c().openUntil.Load() {
				b.expire(w)
				w = b.word.Load()
				continue
			}
		case HalfOpen:
			now := b.since()
			b.refresh(now, true, false)
			if b.acquireProbe(w) {
				if b.word.Load() != w {
					// The state moved on while we took the slot.
					b.releaseProbe(w)
					w = b.word.Load()
					continue
				}
				return Permit{b: b, w: w, start: now}, nil
			}
		}
		// Open before its time, half-open and full, or isolated.
		return Permit{}, b.c().rejectErr.Load()
	}
}

// State returns the current state. An open breaker whose break has ended
// moves to half-open here, if its timer has not done so yet.
func (b *Breaker) State() State {
	now := b.since()
	w := b.current(now)
	b.refresh(now, false, false)
	return stateOf(w)
}

// Snapshot returns the breaker's current state and counts. Like State, it
// moves an open breaker whose break has ended to half-open. It sums the
// whole window (every stripe's buckets): call it for metrics and health
// pages, not on every call.
func (b *Breaker) Snapshot() Snapshot {
	now := b.since()
	w := b.current(now)
	b.refresh(now, false, false)
	var openUntil int64
	if cs := b.coldOrNil(); cs != nil {
		openUntil = cs.openUntil.Load()
	}
	return b.snapshot(w, openUntil)
}

// snapshot builds a Snapshot for state word w, without transitions.
func (b *Breaker) snapshot(w uint64, openUntil int64) Snapshot {
	s := Snapshot{
		Name:                b.name,
		State:               stateOf(w),
		Generation:          genOf(w),
		ConsecutiveFailures: b.consecutive.Load(),
	}
	s.Calls, s.Failures, s.Slow = b.window(b.epoch.Load() >> idxBits)
	if cs := b.coldOrNil(); cs != nil {
		// Without it the breaker never tripped, rejected nor waited.
		s.Trips = cs.trips.Load()
		if r := cs.rejected.Load(); r != nil {
			for i := range *r {
				s.Rejected += (*r)[i].n.Load()
			}
		}
		s.Waiting, s.Waited = cs.waiters.Load(), cs.waited()
	}
	if s.State == Open {
		s.OpenUntil = b.base.Add(time.Duration(openUntil))
	}
	return s
}

// window returns the counts of the window ending at epoch e.
func (b *Breaker) window(e int64) (calls, failures, slow uint64) {
	if b.cw != nil {
		return b.cw.sum()
	}
	calls, failures, slow = b.tw0.sum(e)
	if tw := b.tw.Load(); tw != nil {
		c, f, s := tw.sum(e)
		calls, failures, slow = calls+c, failures+f, slow+s
	}
	return calls, failures, slow
}

// current returns the state word after moving an open breaker whose break
// ended by now to half-open.
func (b *Breaker) current(now int64) uint64 {
	w := b.word.Load()
	if stateOf(w) == Open && now >= b.c().openUntil.Load() {
		b.expire(w)
		w = b.word.Load()
	}
	return w
}

// Isolate forces the breaker open: every call is rejected until Disable or
// Reset. It is a transition (notified, new generation) unless the breaker
// is already isolated.
func (b *Breaker) Isolate() { b.force(Isolated) }

// Disable forces the breaker closed: every call is admitted and the
// breaker never trips, but outcomes are still counted, so that Snapshot
// shows the error rate, until Isolate or Reset. The window is kept when
// the breaker was closed, emptied otherwise. It is a transition
// (notified, new generation) unless the breaker is already disabled.
func (b *Breaker) Disable() { b.force(Disabled) }

// Reset returns the breaker to automatic mode, closed, with an empty
// window, no consecutive failures and the run of trips that grows
// BreakBackoff reset. It is always a transition (notified, new generation),
// even from closed; outcomes of calls admitted before it are discarded.
func (b *Breaker) Reset() { b.force(Closed) }

// force makes a manual transition to `to`.
func (b *Breaker) force(to State) {
	now := b.since()
	cs := b.c()
	cs.mu.Lock()
	cur := b.word.Load()
	if stateOf(cur) == to && to != Closed {
		cs.mu.Unlock()
		return
	}
	ch := b.commitLocked(cs, cur, to, now)
	cs.mu.Unlock()
	b.notify(ch)
}

// since returns the nanoseconds elapsed since b.base, on the monotonic
// clock (or a synctest bubble's fake clock).
func (b *Breaker) since() int64 { return int64(time.Since(b.base)) }
