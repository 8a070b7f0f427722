package queue

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a [Queue]'s state and counters, for metrics and
// tests. Counters are cumulative since [New]; each is read atomically, but
// the snapshot as a whole is not taken at one instant, so under load the
// fields may disagree slightly.
//
// Every Acquire that returns ends up in exactly one of Admitted,
// RejectedFull, TimedOut, Dropped and Canceled; TryAcquire counts in
// Admitted when it returns true and nowhere when it returns false.
type Stats struct {
	Limit    int // the current limit
	InFlight int // slots held now
	Depth    int // callers waiting now

	// Overloaded reports whether the AdaptiveLIFO policy considers the
	// queue overloaded now (not empty for Interval): service is LIFO and
	// waits over Target are dropped. Always false under FIFO.
	Overloaded bool

	Admitted     uint64 // slots granted by Acquire and TryAcquire
	Queued       uint64 // of Admitted, those that waited in the queue
	RejectedFull uint64 // Acquire failed with ErrFull
	TimedOut     uint64 // Acquire failed with ErrTimeout after MaxWait
	Dropped      uint64 // Acquire failed with ErrTimeout, dropped by CoDel under overload
	Canceled     uint64 // Acquire returned the caller's context error

	// TotalWait, LongestWait and Waits describe the time in the queue of
	// the Queued admissions (callers that were granted a slot after
	// waiting); admissions without a wait, and waiters that failed, are
	// not included. TotalWait/Queued is the mean wait.
	TotalWait   time.Duration
	LongestWait time.Duration
	Waits       WaitHistogram
}

// WaitBuckets is the number of buckets of a [WaitHistogram].
const WaitBuckets = 6

// waitBounds are the inclusive upper bounds of all buckets but the last.
var waitBounds = [WaitBuckets - 1]time.Duration{
	time.Millisecond,
	5 * time.Millisecond,
	25 * time.Millisecond,
	100 * time.Millisecond,
	500 * time.Millisecond,
}

// WaitHistogram counts queue waits in fixed buckets: ≤1ms, ≤5ms, ≤25ms,
// ≤100ms, ≤500ms and >500ms (index 0 to 5). [WaitBucketBound] returns a
// bucket's bound.
type WaitHistogram [WaitBuckets]uint64

// WaitBucketBound returns the inclusive upper bound of bucket i of a
// [WaitHistogram], and false for the last bucket, which has none (and for
// an i out of range).
func WaitBucketBound(i int) (time.Duration, bool) {
	if i < 0 || i >= len(waitBounds) {
		return 0, false
	}
	return waitBounds[i], true
}

// String formats h as "≤1ms:3 ≤5ms:0 ≤25ms:1 ≤100ms:0 ≤500ms:0 >500ms:0".
func (h WaitHistogram) String() string {
	var b strings.Builder
	for i, n := range h {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i < len(waitBounds) {
			b.WriteString("≤" + waitBounds[i].String())
		} else {
			b.WriteString(">" + waitBounds[len(waitBounds)-1].String())
		}
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(n, 10))
	}
	return b.String()
}

// bucket returns the histogram index for a wait of d.
func bucket(d time.Duration) int {
	for i, bound := range waitBounds {
		if d <= bound {
			return i
		}
	}
	return len(waitBounds)
}

// counters are the cumulative counters of a Queue. Admitted is kept apart,
// next to the in-flight count, because the fast path updates it; the rest
// are updated on the slow paths only.
type counters struct {
	queued       atomic.Uint64
	rejectedFull atomic.Uint64
	timedOut     atomic.Uint64
	dropped      atomic.Uint64
	canceled     atomic.Uint64
	totalWait    atomic.Int64 // nanoseconds
	longestWait  atomic.Int64 // nanoseconds
	waits        [WaitBuckets]atomic.Uint64
}

// recordWait records the queue wait d of a Queued admission.
func (c *counters) recordWait(d time.Duration) {
	c.queued.Add(1)
	c.totalWait.Add(int64(d))
	c.waits[bucket(d)].Add(1)
	for {
		cur := c.longestWait.Load()
		if int64(d) <= cur || c.longestWait.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// Stats returns a snapshot of q's state and counters. It reads atomics
// only (and the clock, under AdaptiveLIFO while callers wait); it takes
// no lock and is safe to call at any rate from any goroutine.
func (q *Queue) Stats() Stats {
	s := Stats{
		Limit:        int(q.limit.Load()),
		InFlight:     int(q.inFlight.Load()),
		Depth:        int(q.waiting.Load()),
		Admitted:     q.admitted.Load(),
		Queued:       q.stats.queued.Load(),
		RejectedFull: q.stats.rejectedFull.Load(),
		TimedOut:     q.stats.timedOut.Load(),
		Dropped:      q.stats.dropped.Load(),
		Canceled:     q.stats.canceled.Load(),
		TotalWait:    time.Duration(q.stats.totalWait.Load()),
		LongestWait:  time.Duration(q.stats.longestWait.Load()),
	}
	for i := range s.Waits {
		s.Waits[i] = q.stats.waits[i].Load()
	}
	if busy := q.busySince.Load(); q.policy == AdaptiveLIFO && busy != noBusy {
		s.Overloaded = q.now()-time.Duration(busy) >= q.interval
	}
	return s
}
