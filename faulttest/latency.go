package faulttest

import (
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
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
// result counts as no delay. Fixed, Uniform and Pareto cover the usual
// shapes, and New validates their parameters; any other type may implement
// the interface.
type Distribution interface {
	Sample(u float64) time.Duration
}

// Fixed returns a Distribution that always delays by d. New rejects a
// negative d.
func Fixed(d time.Duration) Distribution { return chaos.Fixed(d) }

// Uniform returns a Distribution uniform over [min, max). New rejects a
// negative min or a max below min; min == max is Fixed(min).
func Uniform(min, max time.Duration) Distribution { return chaos.Uniform(min, max) }

// Pareto returns a heavy-tailed Distribution: scale·(1-u)^(-1/alpha), capped
// at max. Every sample is at least scale; the smaller alpha, the heavier the
// tail (alpha ≈ 1.16 puts 80 % of the total delay in 20 % of the requests).
// New rejects scale <= 0, alpha <= 0 (or not finite) and max < scale; the
// cap is mandatory because the uncapped tail is unbounded.
func Pareto(scale time.Duration, alpha float64, max time.Duration) Distribution {
	return chaos.Pareto(scale, alpha, max)
}
