package queue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Queue is a concurrency limit with a shallow waiting room in front of it:
// at most Limit callers hold a slot at once, at most MaxDepth more wait
// for one, and none waits longer than MaxWait (or, under overload with the
// AdaptiveLIFO policy, longer than the CoDel Target). Callers past the
// depth are rejected at once with [ErrFull]; waiters that run out of time
// get [ErrTimeout].
//
// Call [Queue.Acquire] (or [Queue.TryAcquire]) before the guarded work and
// [Queue.Release] exactly once after it, when Acquire returned nil:
//
//	if err := q.Acquire(ctx); err != nil {
//		return err // queue.ErrFull, queue.ErrTimeout or the context's error
//	}
//	defer q.Release()
//
// A Release hands its slot straight to one waiter (no thundering herd),
// chosen by the [Policy]. [Queue.SetLimit] changes the limit at any time.
//
// When a slot is free and nobody waits, Acquire and Release are lock-free:
// a few atomic operations, no allocation and no clock reading. The clock is
// read only when a caller has to wait, and for the CoDel bookkeeping.
//
// Create a Queue with [New]; the zero Queue is not usable. A Queue is safe
// for concurrent use and must not be copied after first use. It starts no
// goroutine and needs no Close.
type Queue struct {
	// Read-only after New.
	epoch    time.Time // origin of all the times below; keeps the monotonic reading
	maxWait  time.Duration
	target   time.Duration
	interval time.Duration
	policy   Policy
	noQueue  bool
	maxDepth int // 0: follows the limit

	// The hot words. inFlight and admitted are written by every
	// admission: they share one cache line. limit and waiting are read by
	// every Acquire and Release but rarely written: they sit on their own
	// line, so it stays shared in every core's cache.
	_        [64]byte
	inFlight atomic.Int64  // slots held, including those handed to waiters
	admitted atomic.Uint64 // Stats.Admitted
	_        [48]byte
	limit    atomic.Int64
	waiting  atomic.Int64 // waiters in the list, plus one registering; changed under mu
	_        [48]byte

	mu              sync.Mutex
	head, tail      *waiter       // requires mu held; oldest at head
	length          int           // requires mu held; equals waiting while mu is held
	busySinceLocked time.Duration // requires mu held: when the list last became non-empty, or noBusy
	busySince       atomic.Int64  // a copy of busySinceLocked for Stats
	stats           counters
}

// New returns a [Queue] for c. It fills the zero fields of c with the
// values of [DefaultConfig], then validates them: a negative Limit,
// MaxDepth, MaxWait, Target or Interval, a MaxDepth set with NoQueue, or
// an undefined Policy gives an error wrapping [ErrInvalidConfig] whose
// message names the field and its value.
func New(c Config) (*Queue, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	q := &Queue{
		epoch:           time.Now(),
		maxWait:         c.MaxWait,
		target:          c.Target,
		interval:        c.Interval,
		policy:          c.Policy,
		noQueue:         c.NoQueue,
		maxDepth:        c.MaxDepth,
		busySinceLocked: noBusy,
	}
	q.limit.Store(int64(c.Limit))
	q.busySince.Store(noBusy)
	return q, nil
}

// Acquire takes a slot, waiting for one if every slot is held. It returns
// nil once the caller holds a slot, which it must give back with Release.
// Otherwise it returns, without a slot:
//
//   - an error wrapping [ErrFull] at once, when MaxDepth callers are
//     already waiting (or NoQueue is set);
//   - an error wrapping [ErrTimeout] after MaxWait without a slot, or
//     sooner when the AdaptiveLIFO policy drops the waiter under overload;
//   - when ctx ends first, an error for which errors.Is(err, ctx.Err())
//     (and errors.Is(err, context.Cause(ctx))) holds. The waiter is
//     removed from the queue; a slot handed to it as ctx ended is passed
//     on to the next waiter, never lost.
//
// Each error's message says why: the depth and limit, or how long it
// waited. As with x/sync/semaphore, when a slot is free and nobody waits,
// Acquire takes it without looking at ctx; a caller that has to wait is
// refused at once if ctx is already done, and a waiter never returns nil
// once its ctx has ended.
func (q *Queue) Acquire(ctx context.Context) error {
	if q.waiting.Load() == 0 && q.tryAcquire() {
		return nil
	}
	return q.acquireSlow(ctx)
}

// TryAcquire takes a slot if one is free and nobody is waiting for one, and
// reports whether it did; it never waits. A true result must be matched by
// a Release. A false result is not counted in [Stats].
func (q *Queue) TryAcquire() bool {
	return q.waiting.Load() == 0 && q.tryAcquire()
}

// tryAcquire takes a free slot and counts the admission.
func (q *Queue) tryAcquire() bool {
	if q.reserve() {
		q.admitted.Add(1)
		return true
	}
	return false
}

// reserve increments inFlight if it is below the limit.
func (q *Queue) reserve() bool {
	for {
		n := q.inFlight.Load()
		if n >= q.limit.Load() {
			return false
		}
		if q.inFlight.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// acquireSlow is Acquire when no slot could be taken at once, or callers
// are waiting already.
//
// A slot is never stranded, though Release does not lock when nobody
// waits: a caller registers in waiting (under mu) before it looks at
// inFlight once more, and a fast Release decrements inFlight before it
// looks at waiting. sync/atomic operations are sequentially consistent, so
// either the Release sees the registration and takes mu to hand the slot
// over, or the registering caller sees the freed slot. A caller that finds
// others already waiting does not take a free slot itself: a Release that
// freed it saw those waiters and is about to hand it to the one the policy
// picks.
func (q *Queue) acquireSlow(ctx context.Context) error {
	if q.noQueue {
		// waiting is always 0 without a queue: every slot was held.
		q.stats.rejectedFull.Add(1)
		return &acquireError{reason: reasonFull, err: ErrFull,
			inFlight: int(q.inFlight.Load()), limit: int(q.limit.Load())}
	}
	if err := ctx.Err(); err != nil {
		q.stats.canceled.Add(1)
		return contextError(ctx, err, nil)
	}

	q.mu.Lock()
	now := q.now()
	q.expireLocked(now)
	q.waiting.Add(1)
	if q.head == nil && q.tryAcquire() {
		q.waiting.Add(-1)
		q.mu.Unlock()
		return nil
	}
	if maxDepth := q.maxDepthLocked(); q.length >= maxDepth {
		q.waiting.Add(-1)
		e := &acquireError{reason: reasonFull, err: ErrFull, depth: q.length, maxDepth: maxDepth,
			inFlight: int(q.inFlight.Load()), limit: int(q.limit.Load())}
		q.mu.Unlock()
		q.stats.rejectedFull.Add(1)
		return e
	}
	w := q.pushLocked(now)
	q.mu.Unlock()
	return q.wait(ctx, w, now)
}

// maxDepthLocked returns the depth limit. Requires mu held.
func (q *Queue) maxDepthLocked() int {
	if q.maxDepth == 0 {
		return int(q.limit.Load())
	}
	return q.maxDepth
}

// wait blocks until w leaves the queue: granted a slot, timed out or
// dropped (decided under mu by a Release, an Acquire or w's own timer), or
// canceled by ctx.
func (q *Queue) wait(ctx context.Context, w *waiter, now time.Duration) error {
	t := time.NewTimer(w.deadline - now)
	select {
	case <-w.ready:
	case <-t.C:
		ctxDone := ctx.Err() != nil // not under mu: ctx is the caller's code
		q.mu.Lock()
		if w.outcome == waiting {
			now := q.now()
			if ctxDone {
				// Both ended: the caller's context is the better news.
				q.cancelLocked(w, now)
			} else {
				q.expireLocked(now) // w and any older waiter: their deadlines are no later
				if w.outcome == waiting {
					q.timeoutLocked(w, now)
				}
			}
		}
		q.mu.Unlock()
	case <-ctx.Done():
		q.mu.Lock()
		if w.outcome == waiting {
			q.cancelLocked(w, q.now())
		}
		q.mu.Unlock()
	}
	t.Stop()

	// w.outcome was written under mu, which this goroutine has held since,
	// or before ready was closed.
	switch w.outcome {
	case granted:
		if err := ctx.Err(); err != nil {
			// ctx ended as the slot was handed over: pass it on.
			q.Release()
			q.stats.canceled.Add(1)
			return contextError(ctx, err, w)
		}
		q.admitted.Add(1)
		q.stats.recordWait(w.left - w.enqueued)
		return nil
	case canceled:
		q.stats.canceled.Add(1)
		return contextError(ctx, ctx.Err(), w)
	case dropped:
		return &acquireError{reason: reasonDropped, err: ErrTimeout, waited: w.left - w.enqueued,
			bound: q.target, busy: w.busy, interval: q.interval}
	default: // timedOut
		return &acquireError{reason: reasonTimeout, err: ErrTimeout, waited: w.left - w.enqueued,
			bound: q.maxWait, inFlight: int(q.inFlight.Load()), limit: int(q.limit.Load())}
	}
}

// contextError returns the error for a caller whose ctx ended with err,
// before queueing (w nil) or while waiting as w.
func contextError(ctx context.Context, err error, w *waiter) error {
	e := &acquireError{reason: reasonContext, err: err}
	if cause := context.Cause(ctx); cause != nil && cause != err {
		e.cause = cause
	}
	if w != nil {
		e.queued = true
		e.waited = w.left - w.enqueued
	}
	return e
}

// Release gives back a slot taken by Acquire or TryAcquire. If callers are
// waiting and the limit allows, the slot goes straight to the one that the
// policy picks, and only that one is woken. Releasing more slots than were
// taken panics.
func (q *Queue) Release() {
	if q.waiting.Load() != 0 {
		q.releaseSlow()
		return
	}
	q.releaseFast()
}

// releaseFast is Release when nobody was waiting at the first look.
func (q *Queue) releaseFast() {
	if q.inFlight.Add(-1) < 0 {
		q.inFlight.Add(1)
		panic(errOverRelease)
	}
	// A caller may have registered since the first look; see acquireSlow.
	if q.waiting.Load() != 0 {
		q.mu.Lock()
		q.dispatchLocked(q.now())
		q.mu.Unlock()
	}
}

const errOverRelease = "queue: Release without a matching Acquire"

// releaseSlow is Release when callers are waiting.
func (q *Queue) releaseSlow() {
	q.mu.Lock()
	now := q.now()
	q.expireLocked(now)
	n := q.inFlight.Load()
	if n < 1 {
		q.mu.Unlock()
		panic(errOverRelease)
	}
	if q.head != nil && n <= q.limit.Load() {
		// Hand the slot over: inFlight is unchanged.
		q.grantLocked(now)
	} else {
		// Nobody left to hand it to, or the limit was lowered below the
		// slots held: give the slot back.
		q.inFlight.Add(-1)
	}
	q.dispatchLocked(now)
	q.mu.Unlock()
}

// dispatchLocked hands free slots to waiters while there are both.
// Requires mu held.
func (q *Queue) dispatchLocked(now time.Duration) {
	if q.head == nil {
		return
	}
	q.expireLocked(now)
	for q.head != nil && q.reserve() {
		q.grantLocked(now)
	}
}

// SetLimit changes the number of concurrent holders to n, which must be at
// least 1 (else the error wraps [ErrInvalidConfig]). Raising the limit
// hands the new slots to waiters at once. Lowering it takes effect as
// holders release: no slot is taken back, and no waiter is admitted until
// fewer than n slots are held. When MaxDepth is zero the depth limit
// follows (waiters already queued beyond a lowered depth stay queued).
func (q *Queue) SetLimit(n int) error {
	if n < 1 {
		return invalid("limit %d must be at least 1", n)
	}
	q.mu.Lock()
	if old := q.limit.Swap(int64(n)); int64(n) > old {
		q.dispatchLocked(q.now())
	}
	q.mu.Unlock()
	return nil
}

// Limit returns the current limit.
func (q *Queue) Limit() int { return int(q.limit.Load()) }
