package faulttest

import (
	"fmt"
	"math"
	"time"
)

// Latency is the delay a Phase adds in front of a request, whatever fault
// (if any) the request then gets.
//
// The zero value adds no latency. A Latency is plain data: copy it freely.
type Latency struct {
	// P is the probability, in [0, 1], that a request is delayed.
	// 0 means never, 1 means always.
	P float64

	// Dist draws the delay of a delayed request. Nil means no latency,
	// whatever P says.
	Dist Distribution
}

// Distribution is a latency distribution: Sample maps u, uniform in [0, 1),
// to a delay. The Injector draws u from its seeded random source, so a
// deterministic Sample keeps a seeded run reproducible.
//
// Sample must be safe for concurrent use and should not block; a negative
// result counts as no delay. Fixed, Uniform and Pareto cover the usual shapes,
// and New validates their parameters; any other type may implement the
// interface.
type Distribution interface {
	Sample(u float64) time.Duration
}

// validator is implemented by the package's own distributions so that New
// can reject a bad one with ErrInvalidConfig instead of misbehaving later.
type validator interface {
	validate() error
}

// Fixed returns a Distribution that always delays by d.
// A negative d is rejected by New.
func Fixed(d time.Duration) Distribution { return fixed(d) }

type fixed time.Duration

func (f fixed) Sample(float64) time.Duration { return time.Duration(f) }

func (f fixed) validate() error {
	if f < 0 {
		return fmt.Errorf("%v: negative duration", f)
	}
	return nil
}

func (f fixed) String() string { return fmt.Sprintf("Fixed(%v)", time.Duration(f)) }

// Uniform returns a Distribution uniform over [min, max).
// New rejects a negative min or a max below min; min == max is Fixed(min).
func Uniform(min, max time.Duration) Distribution { return uniform{min, max} }

type uniform struct{ min, max time.Duration }

func (d uniform) Sample(u float64) time.Duration {
	return d.min + time.Duration(clamp01(u)*float64(d.max-d.min))
}

func (d uniform) validate() error {
	if d.min < 0 || d.max < d.min {
		return fmt.Errorf("%v: want 0 <= min <= max", d)
	}
	return nil
}

func (d uniform) String() string { return fmt.Sprintf("Uniform(%v, %v)", d.min, d.max) }

// Pareto returns a heavy-tailed Distribution: scale·(1-u)^(-1/alpha), capped
// at max. Every sample is at least scale; the smaller alpha, the heavier the
// tail (alpha ≈ 1.16 puts 80 % of the total delay in 20 % of the requests).
// New rejects scale <= 0, alpha <= 0 (or not finite) and max < scale; the cap
// is mandatory because the uncapped tail is unbounded.
func Pareto(scale time.Duration, alpha float64, max time.Duration) Distribution {
	return pareto{scale, alpha, max}
}

type pareto struct {
	scale time.Duration
	alpha float64
	max   time.Duration
}

func (d pareto) Sample(u float64) time.Duration {
	u = clamp01(u)
	if u >= 1 {
		return d.max
	}
	v := float64(d.scale) * math.Pow(1-u, -1/d.alpha)
	if !(v < float64(d.max)) { // also catches NaN and +Inf
		return d.max
	}
	return time.Duration(v)
}

func (d pareto) validate() error {
	if d.scale <= 0 || !(d.alpha > 0) || math.IsInf(d.alpha, 0) || d.max < d.scale {
		return fmt.Errorf("%v: want scale > 0, finite alpha > 0, max >= scale", d)
	}
	return nil
}

func (d pareto) String() string {
	return fmt.Sprintf("Pareto(%v, %v, %v)", d.scale, d.alpha, d.max)
}

func clamp01(u float64) float64 {
	switch {
	case u > 0 && u < 1:
		return u
	case u >= 1:
		return 1
	default: // u <= 0 or NaN
		return 0
	}
}
