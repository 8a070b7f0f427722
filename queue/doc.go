// Package queue is a concurrency limit with a shallow waiting room in
// front of it: at most Limit callers hold a slot at once, at most MaxDepth
// more wait for one, and no one waits long. It is what keeps a client from
// sending a struggling server more work than it can do, without letting a
// long queue turn a short burst into seconds of latency for everyone.
//
// It is a leaf of the module with no HTTP knowledge: it can guard any call
// (an HTTP request, a Twirp method, a database query) and imports only the
// standard library, net/http excluded.
//
//	q, err := queue.New(queue.Config{Limit: 32}) // up to 32 at once, 32 more waiting
//	...
//	if err := q.Acquire(ctx); err != nil {
//		return err // queue.ErrFull, queue.ErrTimeout, or ctx's error
//	}
//	defer q.Release()
//
// # When to use it
//
// Use a [Queue] per downstream (per host, or per Twirp service) whose
// capacity is bounded: it turns "too much concurrency" into a short wait
// while the overload is a burst, and into a fast, explicit rejection
// ([ErrFull], [ErrTimeout]) while it lasts, so callers can shed load or
// fall back instead of piling up. It is not a rate limiter: it bounds how
// many calls are in flight, not how many start per second.
//
// # Where it sits
//
// Package transport assembles the recommended stack; its documentation
// gives the order of the stages and why. There the queue sits behind the
// circuit breaker, so a call to a host whose breaker is open fails fast
// instead of waiting for a slot, and before the per-attempt timeout, so
// time spent waiting does not eat the attempt's budget; the total deadline
// (the caller's context) bounds the wait as well as MaxWait does. The transport package wraps it as HTTP
// middleware (transport.Queue). An
// adaptive concurrency limiter (Gradient2, AIMD) sets the limit at run
// time through [Queue.SetLimit]; the depth follows the limit unless
// MaxDepth is set.
//
// # Policy: adaptive LIFO with CoDel
//
// A FIFO queue is fair, but under sustained overload it is the worst
// order: every request waits behind everything queued before it, so the
// queue fills and stays full, every admitted request waits the longest
// possible time, and by the time it is served its caller has often given
// up, so the work is wasted. The default [AdaptiveLIFO] policy is the one
// Facebook describes in "Fail at Scale" (Ben Maurer, ACM Queue 13(8),
// 2015), built on the controlled-delay idea of CoDel ("Controlling Queue
// Delay", Kathleen Nichols and Van Jacobson, ACM Queue 10(5), 2012): tell
// a good queue (one that absorbs a burst and empties) from a bad, standing
// queue (one that does not empty), and keep the delay short in the latter.
//
//   - While the queue empties regularly, it serves waiters in FIFO order
//     and drops nobody early: only MaxWait (default 1s) bounds a wait.
//   - Once the queue has not been empty for Interval (default 100ms), it is
//     overloaded: waiters that have waited longer than Target (default
//     5ms) are dropped with [ErrTimeout], and a freed slot goes to the
//     newest waiter (LIFO), whose caller is the most likely still to be
//     waiting for the answer. The queue stays shallow, and the requests
//     that are served are served fast.
//   - As soon as the queue empties, the overload ends: FIFO and no early
//     drops again.
//
// The defaults are those of CoDel and of "Fail at Scale" (M = 5ms, N =
// 100ms). As in the article (and unlike CoDel proper, which drops at a
// rate that grows while the delay stays above target), every waiter older
// than Target is dropped while the queue is overloaded. As the list is not
// empty while a waiter is in it, the moment the queue becomes overloaded
// is known when a waiter arrives: each waiter's deadline,
//
//	min(arrival+MaxWait, max(arrival+Target, busySince+Interval))
//
// where busySince is when the queue last stopped being empty, is fixed
// then, and a drop happens exactly on time whether or not anything else
// happens in the queue. Two consequences:
//
//   - No waiter waits longer than max(Target, Interval), 100ms by
//     default: one that has waited Interval has kept the queue non-empty
//     that long, which is overload. MaxWait (default 1s) therefore bounds
//     a wait under AdaptiveLIFO only when it is shorter than that; it is
//     the bound of the FIFO policy. The article likewise limits the time
//     in a good queue to N.
//   - The overload signal is the article's: a queue that empties, even
//     for an instant, is good again. Under sustained overload a lull in
//     arrivals now and then lets the queue drain, and for the next
//     Interval it serves FIFO and drops nobody early. In a simulation at
//     3× capacity (TestOverloadSimulation in this package's tests) about
//     half of the admissions happen while overloaded, all of them after
//     less than Target in the queue; the median wait is about 1ms (FIFO:
//     9ms, and 100ms with a queue ten times deeper), while the 99th
//     percentile is set by the FIFO spells: 16ms with MaxDepth = Limit
//     (FIFO: 17ms) and 68ms with the deeper queue (FIFO: 131ms).
//
// The [FIFO] policy is a plain FIFO queue with MaxWait: fair, and a fine
// choice for a queue that is rarely full, or when ordering matters more
// than latency under overload.
//
// # Cost
//
// While a slot is free and nobody waits, Acquire and Release are lock-free
// (an atomic in-flight count compared and swapped against the limit, and
// a check of an atomic waiter count), do not allocate and do not read the
// clock. A caller that waits takes a mutex, reads the clock and allocates
// a waiter (a channel and a timer); a Release with waiters hands its slot
// directly to the chosen one and wakes only it. [Queue.Stats] reads
// counters and a fixed-bucket histogram of queue waits, all atomics.
//
// # Errors
//
// Rejections wrap [ErrFull] or [ErrTimeout] and say why (the depth and the
// limit, how long the caller waited, whether CoDel dropped it). When the
// caller's context ends while it waits, the error matches ctx.Err() with
// errors.Is, the waiter leaves no trace, and a slot handed to it at that
// moment goes on to the next waiter. Configuration errors wrap
// [ErrInvalidConfig] and name the field.
package queue
