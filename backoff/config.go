package backoff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Config describes a jittered exponential [Strategy]; [New] builds one.
//
// The exponential envelope for a 0-based attempt is
//
//	v = min(Max, Base·Multiplier^attempt)
//
// computed in floating point so that a huge attempt gives Max, never an
// overflowed, negative or NaN duration. [Jitter] then picks the wait from v.
//
// Every zero field means its default, so the zero Config is [DefaultConfig].
// A Config is a plain value: copy it, change it, and pass it to New.
type Config struct {
	// Base is the envelope for attempt 0. Zero means 100ms. Negative is
	// an error.
	Base time.Duration

	// Max caps the envelope and every wait. Zero means 10s. Negative, or
	// less than Base (after defaults), is an error.
	Max time.Duration

	// Multiplier is the growth factor per attempt. Zero means 2. Below 1,
	// NaN or infinite is an error; 1 gives a constant envelope of Base.
	// DecorrelatedJitter ignores it (its factor is always 3).
	Multiplier float64

	// Jitter selects the randomisation. The zero value is FullJitter.
	// An undefined value is an error.
	Jitter Jitter

	// Spread is the half-width of ProportionalJitter's factor
	// U(1−Spread, 1+Spread). Zero means 0.2 (gRPC). It must be in [0, 1);
	// it is validated whatever the Jitter but only ProportionalJitter uses
	// it.
	Spread float64

	// Rand returns a number uniform in [0, 1). Nil means
	// math/rand/v2.Float64, which is safe for concurrent use and does not
	// allocate. It is how a run's jitter is made repeatable: give it a
	// source seeded once (a math/rand/v2 *Rand behind a mutex, since a
	// *Rand is not safe for concurrent use), and the same seed draws the
	// same waits. A supplied function must itself be safe for concurrent
	// use if the Strategy is shared; results outside [0, 1) are clamped
	// into it. Tests may pass a fixed function.
	Rand func() float64
}

// DefaultConfig returns the configuration that the zero [Config] stands for:
// full jitter over 100ms·2^attempt, capped at 10s. With these values the
// envelope reaches its cap at attempt 7 (12.8s → 10s), and the expected
// wait is half the envelope.
func DefaultConfig() Config {
	return Config{
		Base:       100 * time.Millisecond,
		Max:        10 * time.Second,
		Multiplier: 2,
		Jitter:     FullJitter,
		Spread:     0.2,
	}
}

// New returns a [Strategy] for c. It fills the zero fields of c with the
// values of [DefaultConfig], then validates the result: a negative Base or
// Max, Max < Base, a Multiplier below 1 (or NaN or infinite), a Spread
// outside [0, 1) or an undefined Jitter gives an error wrapping
// [ErrInvalidConfig] whose message names the field and its value.
//
// The Strategy is safe for concurrent use and does not allocate per
// Backoff call.
func New(c Config) (Strategy, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	return newExponential(c), nil
}

// GRPC returns the strategy of the gRPC connection-backoff specification
// (grpc/grpc doc/connection-backoff.md): Base 1s, Multiplier 1.6,
// ProportionalJitter with Spread 0.2 and Max 120s, drawing from
// math/rand/v2. Backoff(0) is in [0.8s, 1.2s], Backoff(1) in
// [1.28s, 1.92s], and from attempt 11 on the wait is in [96s, 120s]. The
// specification lets the jitter exceed the cap; this strategy caps the
// final wait at 120s.
func GRPC() Strategy {
	return newExponential(Config{
		Base:       time.Second,
		Max:        120 * time.Second,
		Multiplier: 1.6,
		Jitter:     ProportionalJitter,
		Spread:     0.2,
	})
}

// withDefaults fills the zero fields of c and validates the result.
func (c Config) withDefaults() (Config, error) {
	if c.Base < 0 {
		return c, invalid("Base %v is negative", c.Base)
	}
	if c.Max < 0 {
		return c, invalid("Max %v is negative", c.Max)
	}
	if c.Base == 0 {
		c.Base = DefaultConfig().Base
	}
	if c.Max == 0 {
		c.Max = DefaultConfig().Max
	}
	if c.Max < c.Base {
		return c, invalid("Max %v is less than Base %v", c.Max, c.Base)
	}
	if c.Multiplier == 0 {
		c.Multiplier = DefaultConfig().Multiplier
	}
	if !(c.Multiplier >= 1) || math.IsInf(c.Multiplier, 1) {
		return c, invalid("Multiplier %v must be a finite number >= 1", c.Multiplier)
	}
	if c.Spread == 0 {
		c.Spread = DefaultConfig().Spread
	}
	if !(c.Spread >= 0 && c.Spread < 1) {
		return c, invalid("Spread %v must be in [0, 1)", c.Spread)
	}
	if c.Jitter >= numJitters {
		return c, invalid("Jitter %v is not defined", c.Jitter)
	}
	return c, nil
}

// invalid returns an error wrapping ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// exponential is the Strategy built from a validated Config. Its fields
// are read-only after construction, so it is safe for concurrent use.
type exponential struct {
	base, maxF float64 // Base and Max as float64 nanoseconds
	max        time.Duration
	mult       float64
	spread     float64
	jitter     Jitter
	rand       func() float64
}

func newExponential(c Config) *exponential {
	r := c.Rand
	if r == nil {
		r = rand.Float64
	}
	return &exponential{
		base:   float64(c.Base),
		maxF:   float64(c.Max),
		max:    c.Max,
		mult:   c.Multiplier,
		spread: c.Spread,
		jitter: c.Jitter,
		rand:   r,
	}
}

// maxRand is the largest float64 below 1.
const maxRand = 1 - 0x1p-53

// Backoff implements Strategy.
func (e *exponential) Backoff(attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	switch e.jitter {
	case NoJitter:
		return e.duration(e.envelope(e.mult, float64(attempt)))
	case EqualJitter:
		v := e.envelope(e.mult, float64(attempt))
		return e.duration(v/2 + e.draw()*(v/2))
	case DecorrelatedJitter:
		hi := e.envelope(3, float64(attempt)+1)
		return e.duration(e.base + e.draw()*(hi-e.base))
	case ProportionalJitter:
		v := e.envelope(e.mult, float64(attempt))
		return e.duration(v * (1 - e.spread + 2*e.spread*e.draw()))
	default: // FullJitter
		return e.duration(e.draw() * e.envelope(e.mult, float64(attempt)))
	}
}

// envelope returns min(Max, Base·mult^n) in float64 nanoseconds. A huge n
// makes Pow return +Inf, which the comparison turns into Max; it never
// returns NaN because Base > 0 and mult >= 1.
func (e *exponential) envelope(mult, n float64) float64 {
	f := e.base * math.Pow(mult, n)
	if !(f < e.maxF) {
		return e.maxF
	}
	return f
}

// draw returns e.rand() clamped into [0, 1).
func (e *exponential) draw() float64 {
	r := e.rand()
	if !(r >= 0) { // negative or NaN
		return 0
	}
	if r > maxRand {
		return maxRand
	}
	return r
}

// duration converts float64 nanoseconds to a Duration in [0, Max]. The
// comparison with Max comes first: float64(Max) may round up to 2^63, which
// does not convert to an int64.
func (e *exponential) duration(f float64) time.Duration {
	if f >= e.maxF {
		return e.max
	}
	if !(f > 0) {
		return 0
	}
	return time.Duration(f)
}

// MaxBackoff implements Bounded: the top of the range Backoff(attempt)
// draws from.
func (e *exponential) MaxBackoff(attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	switch e.jitter {
	case DecorrelatedJitter:
		return e.duration(e.envelope(3, float64(attempt)+1))
	case ProportionalJitter:
		return e.duration(e.envelope(e.mult, float64(attempt)) * (1 + e.spread))
	default: // Full, Equal and No jitter stay under the envelope
		return e.duration(e.envelope(e.mult, float64(attempt)))
	}
}
