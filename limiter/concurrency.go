package limiter

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Concurrency limits the number of calls in flight to a destination: at
// most Limit at once, the rest rejected at once with an error matching
// [ErrLimited]. The limit is fixed, or adapted to the destination's
// latency ([Gradient]) or overload signals ([AIMD]); see
// [ConcurrencyConfig].
//
//	tok, err := c.Acquire()
//	if err != nil {
//		return err // errors.Is(err, limiter.ErrLimited); nothing was sent
//	}
//	resp, err := send()
//	tok.Done(outcome(resp, err)) // Success, Dropped or Ignored, exactly once
//
// Acquire never waits: put a queue in front for a short, bounded wait (see
// the package documentation for the wiring with queue.Queue and
// OnLimitChange). Use one Concurrency per destination (per host).
//
// # Cost
//
// Acquire is a compare-and-swap of the in-flight count against the limit,
// both atomics on their own cache lines; Token.Done of a Fixed Concurrency
// is one atomic decrement. Neither allocates nor reads the clock.
// The adaptive algorithms read the clock once in Acquire and once in Done
// (AIMD without a Timeout: never) and take a mutex in Done to record the
// outcome; they do not allocate either. A rejection allocates its error.
//
// Create a Concurrency with [NewConcurrency]; the zero Concurrency is not
// usable. It is safe for concurrent use, starts no goroutine and needs no
// Close.
type Concurrency struct {
	// The hot words. inFlight, written by every Acquire and Done, has a
	// cache line of its own. limit and gen, read by every Acquire but
	// written rarely (when an adaptive limit changes, when AIMD backs off
	// or Gradient starts a minRTT measurement), share another, which so
	// stays shared in every core's cache.
	_        [64]byte
	inFlight atomic.Int64
	_        [56]byte
	limit    atomic.Int64
	gen      atomic.Uint32
	_        [52]byte

	// Read-only after NewConcurrency.
	alg      Algorithm
	clock    bool             // whether Acquire and Done date the call
	now      func() time.Time // nil: time.Since(base)
	base     time.Time
	minLimit int
	maxLimit int
	ratio    float64
	onChange func(old, new int)

	mu   sync.Mutex // guards the algorithms' state
	grad gradient   // Gradient's state
	aimd aimd       // AIMD's state

	// OnLimitChange delivery.
	delivering atomic.Bool
	notified   atomic.Int64 // the limit last passed to onChange as new
}

// NewConcurrency returns a [Concurrency] for c. A bad field gives an error
// wrapping [ErrInvalidConfig] that names it.
//
// A Gradient Concurrency starts with a minRTT measurement: its Limit is
// Gradient.MinRTTLimit (3 by default) until MinRTTSamples calls (50) have
// completed, then c.Limit. OnLimitChange is not called for the initial
// limit: read it with Limit.
func NewConcurrency(c ConcurrencyConfig) (*Concurrency, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	x := &Concurrency{
		alg:      c.Algorithm,
		now:      c.now,
		minLimit: c.MinLimit,
		maxLimit: c.MaxLimit,
		ratio:    c.BackoffRatio,
		onChange: c.OnLimitChange,
	}
	rnd := c.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	if x.now != nil {
		x.base = x.now()
	} else {
		x.base = time.Now()
	}
	x.limit.Store(int64(c.Limit))
	switch c.Algorithm {
	case Gradient:
		x.clock = true
		x.grad.init(c, rnd)
		x.grad.startMeasuring(x, 0)
	case AIMD:
		x.clock = c.AIMD.Timeout > 0
		x.aimd.timeout = int64(c.AIMD.Timeout)
	}
	x.notified.Store(x.limit.Load())
	return x, nil
}

// since returns the nanoseconds since x.base by x's clock: without an
// injected clock, by the monotonic clock alone (time.Since reads only
// that; time.Now reads the wall clock too).
func (x *Concurrency) since() int64 {
	if x.now == nil {
		return int64(time.Since(x.base))
	}
	return int64(x.now().Sub(x.base))
}

// Acquire admits a call if fewer than Limit calls are in flight, and
// returns its [Token]: call Token.Done exactly once when the call is over.
// Otherwise it returns the zero Token and an error matching [ErrLimited]
// that says the limit. It never waits.
//
// When an adaptive limit is lowered below the number in flight, no call
// is cut short: Acquire rejects until enough of them are done.
func (x *Concurrency) Acquire() (Token, error) {
	lim := x.limit.Load()
	for {
		n := x.inFlight.Load()
		if n >= lim {
			return Token{}, &limitedError{reason: reasonConcurrency, n: int(lim)}
		}
		if x.inFlight.CompareAndSwap(n, n+1) {
			t := Token{x: x, inFlight: int32(min(n+1, 1<<31-1))}
			if x.alg != Fixed {
				t.gen = x.gen.Load()
				if x.clock {
					t.start = x.since()
				}
			}
			return t, nil
		}
	}
}

// Limit returns the current limit.
func (x *Concurrency) Limit() int { return int(x.limit.Load()) }

// InFlight returns the number of calls admitted and not yet done.
func (x *Concurrency) InFlight() int { return int(x.inFlight.Load()) }

// done records the outcome of the call of t, whose slot is already freed,
// for an adaptive algorithm.
func (x *Concurrency) done(t Token, o Outcome) {
	if o != Success && o != Dropped {
		return // Ignored, or undefined: no signal
	}
	var now int64
	if x.clock {
		now = x.since()
	}
	x.mu.Lock()
	var changed bool
	if x.alg == Gradient {
		changed = x.grad.sample(x, now, t, o)
	} else {
		changed = x.aimd.sample(x, now, t, o)
	}
	x.mu.Unlock()
	if changed && x.onChange != nil {
		x.notify()
	}
}

// setLimit stores an adaptive limit, brought within [minLimit, maxLimit],
// and reports whether it changed. Requires x.mu held.
func (x *Concurrency) setLimit(n int) bool {
	n = min(max(n, x.minLimit), x.maxLimit)
	return int(x.limit.Swap(int64(n))) != n
}

// notify delivers limit changes to onChange, one goroutine at a time and
// outside x.mu. A goroutine that finds another delivering leaves the
// change to it: the deliverer loops until the notified limit is the
// current one, and checks again after it stops delivering, so no change
// is left undelivered.
func (x *Concurrency) notify() {
	for x.limit.Load() != x.notified.Load() {
		if !x.delivering.CompareAndSwap(false, true) {
			return // the goroutine delivering will see our change
		}
		x.deliver()
	}
}

// deliver calls onChange until the notified limit is the current one.
// Requires x.delivering set by the caller; it clears it, even if onChange
// panics.
func (x *Concurrency) deliver() {
	defer x.delivering.Store(false)
	for {
		cur, old := x.limit.Load(), x.notified.Load()
		if cur == old {
			return
		}
		x.notified.Store(cur)
		x.onChange(int(old), int(cur))
	}
}
