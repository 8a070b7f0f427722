package breaker

import (
	"sync"
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
// the time pays little for each: about 320 bytes, plus, for a time
// window, one stripe of Buckets buckets of 32 bytes (320 bytes with the
// default 10, in the same allocation), and for a count window 4 bytes per
// call of its Size. A
// time window grows its stripes once a bucket of the first one has
// counted 64 calls (calls come often enough for cores to meet on it): then
// it adds, per stripe, Buckets+4 buckets, about 3.5 KB at GOMAXPROCS 2 (8
// stripes) and 28 KB at GOMAXPROCS 16 or more (64 stripes). The first
// rejection adds a 128-byte counter per stripe.
type Breaker struct {
	// Read-mostly: loaded by every call. word is written on transitions,
	// epoch and lastUsed at most about once per bucket period, kmask
	// rarely, tw once (when the window grows). A Group's eviction reads
	// word, base and lastUsed: one cache line per breaker it samples.
	word     atomic.Uint64              // genOf | fastBit | stateOf
	epoch    atomic.Int64               // coarse clock: packEpoch of the ticks since base, as last observed
	lastUsed atomic.Int64               // latest epoch seen by a clock read on a call path
	kmask    atomic.Uint32              // a success reads the clock with probability 1/(kmask+1)
	tw       atomic.Pointer[timeWindow] // the striped time window, once grown; nil: tw0

	// Read-only after New.
	base time.Time // monotonic origin of every time in this breaker
	set  *settings // shared by the breakers of a Group
	name string
	cw   *countWindow // nil for a time window
	tw0  timeWindow   // a time window's first, unstriped window

	// rejected counts rejections, striped; made by the first one.
	rejected atomic.Pointer[[]paddedCounter]

	// The fields below are written by failures and transitions, so they
	// keep off the read-mostly line; in the closed state only failures
	// write them (consecutive), so they need no lines of their own: a
	// breaker stays small, for a Group that meets new keys all the time.
	_           [64]byte
	consecutive atomic.Uint64 // written by failures; by successes only when non-zero

	// Written while half-open only. Each packs uint32(gen)<<32 | count, so
	// that a count belongs to one generation and a new half-open state
	// starts from zero.
	probeSlots atomic.Uint64 // probes in flight
	hoSuccess  atomic.Uint64 // successful probes

	// Written on transitions (before the state word publishes them), read
	// by rejections and snapshots.
	openUntil atomic.Int64 // nanoseconds since base
	breakLen  atomic.Int64 // nanoseconds: the length of the latest break
	downSince atomic.Int64 // nanoseconds since base: the first trip of this run
	rejectErr atomic.Pointer[OpenError]
	trips     atomic.Uint64

	// changed, when set, is closed (and cleared) by the next transition,
	// to wake the calls waiting in Wait; the first waiter makes it.
	changed atomic.Pointer[chan struct{}]
	waiters atomic.Int64              // calls in Wait now
	wq      atomic.Pointer[waitQueue] // made by the first waiter

	mu    sync.Mutex  // serialises transitions; never held while calling out
	timer *time.Timer // the open state's timer; requires mu
	run   int         // trips since the last close; requires mu
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
// one allocation of 640 bytes (the Breaker, its buckets and the 8-byte
// header of an object with pointers), not two.
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
	r := b.rejected.Load()
	if r == nil {
		c := make([]paddedCounter, b.set.stripes)
		if !b.rejected.CompareAndSwap(nil, &c) {
			r = b.rejected.Load() // another rejection made them first
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
			if now >= b.openUntil.Load() {
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
		return Permit{}, b.rejectErr.Load()
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
	return b.snapshot(w, b.openUntil.Load())
}

// snapshot builds a Snapshot for state word w, without transitions.
func (b *Breaker) snapshot(w uint64, openUntil int64) Snapshot {
	s := Snapshot{
		Name:                b.name,
		State:               stateOf(w),
		Generation:          genOf(w),
		ConsecutiveFailures: b.consecutive.Load(),
		Trips:               b.trips.Load(),
	}
	s.Calls, s.Failures, s.Slow = b.window(b.epoch.Load() >> idxBits)
	if r := b.rejected.Load(); r != nil {
		for i := range *r {
			s.Rejected += (*r)[i].n.Load()
		}
	}
	s.Waiting, s.Waited = b.waiters.Load(), b.waited()
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
	if stateOf(w) == Open && now >= b.openUntil.Load() {
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
	b.mu.Lock()
	cur := b.word.Load()
	if stateOf(cur) == to && to != Closed {
		b.mu.Unlock()
		return
	}
	ch := b.commitLocked(cur, to, now)
	b.mu.Unlock()
	b.notify(ch)
}

// since returns the nanoseconds elapsed since b.base, on the monotonic
// clock (or a synctest bubble's fake clock).
func (b *Breaker) since() int64 { return int64(time.Since(b.base)) }
