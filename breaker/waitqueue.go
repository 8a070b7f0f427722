package breaker

import (
	"slices"
	"sync"
	"sync/atomic"
)

// waitQueue orders the calls waiting in [Breaker.Wait] by their arrival,
// so that when a break ends, the call that has waited longest takes the
// probe. Without it the waiters, all woken by one transition, would race
// for the probe's slot, and which call is sent would be whichever
// goroutine ran first: in a testing/synctest bubble, where they wake at
// the same instant, runs could not repeat. The oldest first is also the
// fair order.
//
// A breaker makes its queue when a call first waits: one that never sees
// a waiter pays 8 bytes of its cold part for it.
type waitQueue struct {
	issued atomic.Uint64 // tickets issued: Snapshot.Waited; written under mu

	mu      sync.Mutex
	tickets []uint64 // of the calls waiting, ascending; requires mu
}

// queue returns the breaker's wait queue, making it if no call has
// waited yet.
func (cs *cold) queue() *waitQueue {
	if q := cs.wq.Load(); q != nil {
		return q
	}
	cs.wq.CompareAndSwap(nil, new(waitQueue))
	return cs.wq.Load()
}

// enter queues a call and returns its ticket.
func (q *waitQueue) enter() uint64 {
	q.mu.Lock()
	t := q.issued.Load()
	q.issued.Store(t + 1)
	q.tickets = append(q.tickets, t) // tickets rise: the slice stays sorted
	q.mu.Unlock()
	return t
}

// leave removes ticket t and reports whether it was the oldest.
func (q *waitQueue) leave(t uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	i, ok := slices.BinarySearch(q.tickets, t)
	if !ok {
		return false
	}
	q.tickets = slices.Delete(q.tickets, i, i+1)
	return i == 0
}

// first reports whether ticket t is the oldest waiting.
func (q *waitQueue) first(t uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.tickets) > 0 && q.tickets[0] == t
}

// waited returns the number of calls that have waited.
func (cs *cold) waited() uint64 {
	if q := cs.wq.Load(); q != nil {
		return q.issued.Load()
	}
	return 0
}

// wake wakes the calls waiting for the next transition, without one: to
// look at the state again.
func (cs *cold) wake() {
	if ch := cs.changed.Swap(nil); ch != nil {
		close(*ch)
	}
}
