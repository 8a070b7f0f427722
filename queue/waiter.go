package queue

import (
	"math"
	"time"
)

// outcome is how a waiter left the queue. It is written under Queue.mu
// by whoever removes the waiter from the list, before ready is closed.
type outcome uint8

const (
	waiting  outcome = iota // still in the list
	granted                 // handed a slot (counted in inFlight for it)
	timedOut                // deadline reached: MaxWait
	dropped                 // deadline reached: CoDel under overload
	canceled                // the caller's context ended
)

// waiter is one blocked Acquire. It lives in Queue's intrusive doubly
// linked list, oldest at head, while its outcome is waiting.
//
// Waiters are not pooled: a waiter's channel and timer would belong to the
// testing/synctest bubble that first made them, and reusing them from
// another bubble (a Queue shared by tests) panics. Four small allocations
// (the waiter, its channel, a timer and the timer's channel) on a path
// that is about to block are cheap by comparison.
type waiter struct {
	prev, next *waiter
	ready      chan struct{} // closed when outcome leaves waiting
	outcome    outcome       // requires mu held until ready is closed
	codel      bool          // deadline was set by the CoDel rule
	enqueued   time.Duration // since Queue.epoch
	deadline   time.Duration // since Queue.epoch: when it times out or is dropped
	left       time.Duration // since Queue.epoch: when outcome was decided
	busy       time.Duration // dropped: how long the queue had not been empty
}

// noBusy is busySince while the list is empty: "now - noBusy" is negative,
// so the queue is never overloaded then.
const noBusy = math.MaxInt64

// now returns the time since q was created, on the monotonic clock (the
// fake clock inside a testing/synctest bubble).
func (q *Queue) now() time.Duration { return time.Since(q.epoch) }

// overloadedLocked reports whether the AdaptiveLIFO policy considers the
// queue overloaded at now: it has not been empty for Interval. Requires mu
// held.
func (q *Queue) overloadedLocked(now time.Duration) bool {
	return q.policy == AdaptiveLIFO && q.head != nil && now-q.busySinceLocked >= q.interval
}

// addSat returns t+d for d >= 0, saturating instead of overflowing (a
// MaxWait of math.MaxInt64 means "no bound").
func addSat(t, d time.Duration) time.Duration {
	if t > math.MaxInt64-d {
		return math.MaxInt64
	}
	return t + d
}

// pushLocked appends a new waiter, enqueued at now, and sets its deadline.
// Requires mu held.
//
// Under AdaptiveLIFO the queue is overloaded from busySince+Interval on,
// where busySince is when it last stopped being empty; while this waiter
// is in the list the list is not empty, so busySince cannot change and the
// waiter's deadline is fixed when it arrives: it is dropped as soon as it
// is older than Target while the queue is overloaded, that is at
// max(enqueued+Target, busySince+Interval), unless MaxWait comes first.
// Deadlines therefore never decrease from head to tail, which lets
// expireLocked stop at the first waiter still in time.
func (q *Queue) pushLocked(now time.Duration) *waiter {
	if q.head == nil {
		q.busySinceLocked = now
		q.busySince.Store(int64(now))
	}
	w := &waiter{ready: make(chan struct{}), enqueued: now, deadline: addSat(now, q.maxWait)}
	if q.policy == AdaptiveLIFO {
		if codel := max(addSat(now, q.target), addSat(q.busySinceLocked, q.interval)); codel < w.deadline {
			w.deadline, w.codel = codel, true
		}
	}
	w.prev = q.tail
	if q.tail != nil {
		q.tail.next = w
	} else {
		q.head = w
	}
	q.tail = w
	q.length++
	return w
}

// removeLocked unlinks w from the list. Requires mu held and w in the
// list. The caller sets w's outcome.
func (q *Queue) removeLocked(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev, w.next = nil, nil
	q.length--
	q.waiting.Add(-1)
	if q.head == nil {
		q.busySinceLocked = noBusy
		q.busySince.Store(noBusy)
	}
}

// expireLocked fails every waiter whose deadline is at or before now with
// ErrTimeout, oldest first, and wakes it. Requires mu held.
func (q *Queue) expireLocked(now time.Duration) {
	for w := q.head; w != nil && w.deadline <= now; w = q.head {
		q.timeoutLocked(w, now)
	}
}

// timeoutLocked removes w, which is in the list and past its deadline,
// records why, and wakes it. Requires mu held.
func (q *Queue) timeoutLocked(w *waiter, now time.Duration) {
	w.busy = now - q.busySinceLocked
	q.removeLocked(w)
	w.left = now
	if w.codel {
		w.outcome = dropped
		q.stats.dropped.Add(1)
	} else {
		w.outcome = timedOut
		q.stats.timedOut.Add(1)
	}
	close(w.ready)
}

// cancelLocked removes w, which is in the list, because its caller's
// context ended, and wakes it. Requires mu held.
func (q *Queue) cancelLocked(w *waiter, now time.Duration) {
	q.removeLocked(w)
	w.left = now
	w.outcome = canceled
	close(w.ready)
}

// grantLocked removes the waiter that the policy serves next and hands it
// a slot that the caller has already counted in inFlight. The list must
// not be empty, and expireLocked(now) must have run. Requires mu held.
func (q *Queue) grantLocked(now time.Duration) {
	w := q.head
	if q.overloadedLocked(now) {
		w = q.tail // the newest: its caller is the most likely to still care
	}
	q.removeLocked(w)
	w.left = now
	w.outcome = granted
	close(w.ready)
}
