package queue

import (
	"errors"
	"strconv"
	"time"
)

// ErrFull reports that Acquire was rejected at once: every slot was held
// and the queue already held its maximum number of waiters (MaxDepth), or
// queueing is off (NoQueue). The error that Acquire returns wraps it and
// says how deep the queue was and how many slots were held; test for it
// with errors.Is(err, queue.ErrFull).
var ErrFull = errors.New("queue: full")

// ErrTimeout reports that a waiter gave up without a slot: it waited
// MaxWait, or, under overload with the AdaptiveLIFO policy, longer than
// the CoDel Target. The error that Acquire returns wraps it and says how
// long it waited and why; test for it with errors.Is(err, queue.ErrTimeout).
var ErrTimeout = errors.New("queue: wait timed out")

// ErrInvalidConfig is wrapped by every error that [New] and
// [Queue.SetLimit] return for a bad value. The wrapping error's message
// names the offending field and its value; test for the class with
// errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("queue: invalid config")

// reason says why Acquire failed.
type reason uint8

const (
	reasonFull    reason = iota // depth limit reached or NoQueue
	reasonTimeout               // waited MaxWait
	reasonDropped               // dropped by CoDel: waited Target under overload
	reasonContext               // the caller's context ended
)

// acquireError is the error Acquire returns. It carries what was known at
// the moment of failure and formats its message only when asked, so a
// rejection costs one small allocation. It unwraps to its sentinel
// (ErrFull, ErrTimeout) or to the context's error and, when different,
// its cause.
type acquireError struct {
	reason   reason
	queued   bool          // reasonContext: whether it had queued
	err      error         // ErrFull, ErrTimeout or ctx.Err()
	cause    error         // context.Cause, when it differs from err
	waited   time.Duration // time spent in the queue
	bound    time.Duration // MaxWait, or Target when dropped
	busy     time.Duration // dropped: how long the queue had not been empty
	interval time.Duration // dropped: the CoDel interval
	depth    int           // full: waiters at the time
	maxDepth int           // full: the depth limit; 0 with NoQueue
	inFlight int           // full, timeout: slots held at the time
	limit    int           // full, timeout: the limit at the time
}

func (e *acquireError) Error() string {
	b := make([]byte, 0, 112)
	switch e.reason {
	case reasonFull:
		b = append(b, "queue: full: "...)
		if e.maxDepth == 0 {
			b = appendCounts(b, e.inFlight, e.limit)
			b = append(b, ", queueing off (NoQueue)"...)
		} else {
			b = strconv.AppendInt(b, int64(e.depth), 10)
			b = append(b, " waiting (MaxDepth "...)
			b = strconv.AppendInt(b, int64(e.maxDepth), 10)
			b = append(b, "), "...)
			b = appendCounts(b, e.inFlight, e.limit)
		}
	case reasonTimeout:
		b = append(b, "queue: wait timed out: waited "...)
		b = append(b, e.waited.String()...)
		b = append(b, " (MaxWait "...)
		b = append(b, e.bound.String()...)
		b = append(b, "), "...)
		b = appendCounts(b, e.inFlight, e.limit)
	case reasonDropped:
		b = append(b, "queue: wait timed out: dropped after waiting "...)
		b = append(b, e.waited.String()...)
		b = append(b, " (overloaded: not empty for "...)
		b = append(b, e.busy.String()...)
		b = append(b, " >= Interval "...)
		b = append(b, e.interval.String()...)
		b = append(b, ", waits over Target "...)
		b = append(b, e.bound.String()...)
		b = append(b, " are dropped)"...)
	default: // reasonContext
		if e.queued {
			b = append(b, "queue: gave up after waiting "...)
			b = append(b, e.waited.String()...)
		} else {
			b = append(b, "queue: context done before queueing"...)
		}
		b = append(b, ": "...)
		b = append(b, e.err.Error()...)
		if e.cause != nil {
			b = append(b, " (cause: "...)
			b = append(b, e.cause.Error()...)
			b = append(b, ')')
		}
	}
	return string(b)
}

func appendCounts(b []byte, inFlight, limit int) []byte {
	b = strconv.AppendInt(b, int64(inFlight), 10)
	b = append(b, " in flight (limit "...)
	b = strconv.AppendInt(b, int64(limit), 10)
	return append(b, ')')
}

// Unwrap returns the sentinel or the context's error, and the context's
// cause when it differs.
func (e *acquireError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.err, e.cause}
	}
	return []error{e.err}
}
