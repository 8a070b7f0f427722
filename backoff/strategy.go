package backoff

import "time"

// Strategy returns how long to wait before retry number attempt.
//
// attempt is 0-based: Backoff(0) is the wait before the first retry,
// Backoff(1) the wait before the second, and so on. A negative attempt is
// treated as 0. The result is never negative.
//
// Implementations are stateless (the wait depends only on attempt and a
// random source) and safe for concurrent use, so one Strategy may be shared
// by every request of a client. The strategies of this package ([New],
// [Constant], [GRPC]) do not allocate per call.
type Strategy interface {
	Backoff(attempt int) time.Duration
}

// StrategyFunc adapts an ordinary function to the [Strategy] interface.
// The function must itself be safe for concurrent use if the Strategy is
// shared, and should never return a negative duration.
type StrategyFunc func(attempt int) time.Duration

// Backoff calls f(attempt).
func (f StrategyFunc) Backoff(attempt int) time.Duration { return f(attempt) }

var _ Strategy = StrategyFunc(nil)

// Constant returns a [Strategy] that always waits d, whatever the attempt.
// A negative d is treated as 0 (retry at once). Constant is meant for tests
// and for callers that pace retries some other way; a fleet of clients
// retrying on a constant period synchronises, so production code should
// prefer a jittered strategy from [New].
func Constant(d time.Duration) Strategy {
	if d < 0 {
		d = 0
	}
	return constant(d)
}

// constant is the Strategy returned by Constant.
type constant time.Duration

func (c constant) Backoff(int) time.Duration { return time.Duration(c) }

// Bounded is implemented by strategies that know the longest wait they can
// return for an attempt, whatever their random draws. transport.New uses it
// to check at construction that the retries can fit in the total timeout.
// Every Strategy of this package implements it.
type Bounded interface {
	MaxBackoff(attempt int) time.Duration
}

// MaxBackoff returns d: a constant strategy always waits d.
func (c constant) MaxBackoff(int) time.Duration { return time.Duration(c) }
