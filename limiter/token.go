package limiter

import "strconv"

// Outcome is what a call tells an adaptive [Concurrency] about its
// destination. Its values are those of transport.Outcome (Success,
// Failure, Ignored), so an adapter converts with limiter.Outcome(o) when
// its Failure means overload; a failure that is not an overload signal (a
// 500 from a bug) is better reported as Success or Ignored.
type Outcome uint8

const (
	// Success: the destination answered (with any status that is not an
	// overload signal). An adaptive algorithm measures its latency.
	Success Outcome = iota

	// Dropped: an overload signal, a call that timed out or was refused
	// with 503 or 429. AIMD shrinks the limit; Gradient ends the window
	// with a smaller limit. Its latency is not measured: a fast refusal
	// must not look like a fast destination.
	Dropped

	// Ignored: the call says nothing about the destination (the caller
	// cancelled it, a layer of our own refused it). It only frees its
	// slot.
	Ignored
)

// String returns "success", "dropped", "ignored", or "outcome(n)" for an
// undefined value.
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Dropped:
		return "dropped"
	case Ignored:
		return "ignored"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Token is the admission of one call by [Concurrency.Acquire]. Call Done
// exactly once when the call is over, whatever came of it: a Token never
// done holds its slot forever, and one done twice frees two slots.
//
// A Token is a small value (a pointer and two words): pass it by value,
// it does not allocate. The zero Token (returned with an error) is valid,
// and its Done does nothing.
type Token struct {
	x        *Concurrency
	start    int64  // when the call was admitted, nanoseconds since x.base; adaptive only
	inFlight int32  // calls in flight just after admission, this one included
	gen      uint32 // x.gen at admission; adaptive only
}

// Done frees the call's slot and, for an adaptive Concurrency, reports the
// call's outcome: Success, Dropped or Ignored (an undefined Outcome counts
// as Ignored). For a Fixed Concurrency it is one atomic decrement. For an
// adaptive one it also reads the clock and takes a mutex, and may change
// the limit and call OnLimitChange, on this goroutine.
func (t Token) Done(o Outcome) {
	x := t.x
	if x == nil {
		return
	}
	x.inFlight.Add(-1)
	if x.alg != Fixed {
		x.done(t, o)
	}
}
