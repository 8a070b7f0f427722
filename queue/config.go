package queue

import (
	"fmt"
	"time"
)

// Config describes a [Queue]; [New] builds one.
//
// Every zero field means its default, so the zero Config is
// [DefaultConfig]: 64 concurrent holders, up to 64 waiters, adaptive LIFO
// with CoDel (Target 5ms, Interval 100ms, so no wait beyond 100ms), and
// MaxWait 1s for the FIFO policy. A Config is a plain value: copy it,
// change it, and pass it to New.
type Config struct {
	// Limit is the number of concurrent holders: Acquire blocks once Limit
	// slots are held. Zero means 64. Negative is an error. It can be
	// changed later with Queue.SetLimit (an adaptive concurrency limiter
	// drives it that way).
	Limit int

	// MaxDepth is the number of waiters allowed beyond Limit; an Acquire
	// that finds MaxDepth callers already waiting fails at once with
	// ErrFull. Zero means "equal to the current limit", so the depth
	// follows SetLimit and the queue stays as shallow as the concurrency
	// it feeds. Negative is an error, and so is a non-zero MaxDepth with
	// NoQueue. To turn queueing off, set NoQueue.
	MaxDepth int

	// NoQueue turns queueing off: an Acquire that finds every slot held
	// fails at once with ErrFull. MaxWait, Target, Interval and Policy are
	// then not used (they are still validated).
	NoQueue bool

	// MaxWait is the longest that a waiter waits for a slot before Acquire
	// fails with ErrTimeout. Zero means 1s. Negative is an error. The
	// caller's context can end a wait sooner. Under AdaptiveLIFO a wait
	// never lasts longer than max(Target, Interval) anyway (a waiter that
	// has waited Interval has kept the queue non-empty that long, which is
	// overload, so it is dropped): there, MaxWait matters only when it is
	// shorter than that. Under FIFO it is the only bound.
	MaxWait time.Duration

	// Target is the CoDel target delay of the AdaptiveLIFO policy: while
	// the queue is overloaded, a waiter that has waited longer than Target
	// is dropped with ErrTimeout. Zero means 5ms. Negative is an error. A
	// Target at or above MaxWait turns the early drops off.
	Target time.Duration

	// Interval is the CoDel interval of the AdaptiveLIFO policy: the queue
	// is overloaded once it has not been empty for Interval. Zero means
	// 100ms. Negative is an error.
	Interval time.Duration

	// Policy chooses the service order and drop rule. The zero value is
	// AdaptiveLIFO. An undefined value is an error.
	Policy Policy
}

// DefaultConfig returns the configuration that the zero [Config] stands for.
// MaxDepth 0 means "equal to the current limit" (64 here).
func DefaultConfig() Config {
	return Config{
		Limit:    64,
		MaxWait:  time.Second,
		Target:   5 * time.Millisecond,
		Interval: 100 * time.Millisecond,
		Policy:   AdaptiveLIFO,
	}
}

// withDefaults fills the zero fields of c and validates the result.
func (c Config) withDefaults() (Config, error) {
	if c.Limit < 0 {
		return c, invalid("Limit %d is negative", c.Limit)
	}
	if c.Limit == 0 {
		c.Limit = DefaultConfig().Limit
	}
	if c.MaxDepth < 0 {
		return c, invalid("MaxDepth %d is negative (set NoQueue to turn queueing off)", c.MaxDepth)
	}
	if c.NoQueue && c.MaxDepth != 0 {
		return c, invalid("MaxDepth %d is set with NoQueue", c.MaxDepth)
	}
	if c.MaxWait < 0 {
		return c, invalid("MaxWait %v is negative", c.MaxWait)
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultConfig().MaxWait
	}
	if c.Target < 0 {
		return c, invalid("Target %v is negative", c.Target)
	}
	if c.Target == 0 {
		c.Target = DefaultConfig().Target
	}
	if c.Interval < 0 {
		return c, invalid("Interval %v is negative", c.Interval)
	}
	if c.Interval == 0 {
		c.Interval = DefaultConfig().Interval
	}
	if c.Policy < 0 || c.Policy >= numPolicies {
		return c, invalid("Policy %v is not defined", c.Policy)
	}
	return c, nil
}

// invalid returns an error wrapping ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
