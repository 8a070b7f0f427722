package limiter

import (
	"math"
	"strconv"
	"time"
)

// Algorithm chooses how a [Concurrency] sets its limit.
type Algorithm uint8

const (
	// Fixed keeps the configured limit. Acquire and Done are a few atomic
	// operations; nothing is measured and the clock is never read.
	Fixed Algorithm = iota

	// Gradient adapts the limit to the latency of calls: the gradient
	// controller of Envoy's adaptive concurrency filter, which compares
	// the latency of recent calls with a periodically re-measured
	// latency of an unloaded destination (minRTT). See [GradientConfig].
	Gradient

	// AIMD adapts the limit to overload signals: additive increase (+1
	// per limit's worth of successes), multiplicative decrease (×0.9 on a
	// Dropped call, once per window). See [AIMDConfig].
	AIMD

	numAlgorithms
)

// String returns "fixed", "gradient", "aimd", or "algorithm(n)" for an
// undefined value.
func (a Algorithm) String() string {
	switch a {
	case Fixed:
		return "fixed"
	case Gradient:
		return "gradient"
	case AIMD:
		return "aimd"
	}
	return "algorithm(" + strconv.Itoa(int(a)) + ")"
}

// ConcurrencyConfig describes a [Concurrency]; [NewConcurrency] builds one.
//
// Every zero field means its default, so the zero ConcurrencyConfig is a
// fixed limit of 20 calls in flight. A ConcurrencyConfig is a plain
// value: copy it, change it, and pass it to NewConcurrency. Fields that
// the chosen Algorithm does not use are still validated.
type ConcurrencyConfig struct {
	// Algorithm chooses how the limit is set: Fixed (the zero value),
	// Gradient or AIMD. An undefined value is an error.
	Algorithm Algorithm

	// Limit is the limit of a Fixed Concurrency, and the initial limit of
	// an adaptive one (for Gradient: once its first minRTT measurement is
	// done, see [GradientConfig]). Zero means 20 (Netflix
	// concurrency-limits' initialLimit), brought within [MinLimit,
	// MaxLimit] for an adaptive algorithm. Negative is an error, and so is
	// a non-zero Limit outside [MinLimit, MaxLimit] for an adaptive one.
	Limit int

	// MinLimit and MaxLimit bound an adaptive limit. Zero means 1 and
	// 1000 (Envoy's max_concurrency_limit). Negative is an error, and so
	// is MinLimit > MaxLimit. A Fixed Concurrency ignores them.
	MinLimit, MaxLimit int

	// BackoffRatio is how an adaptive limit shrinks on overload: AIMD
	// multiplies the limit by it on a Dropped call; Gradient takes at most
	// the limit times it at the end of a window with a Dropped call. It
	// must be in [0.5, 1) (Netflix AIMDLimit's range); zero means 0.9
	// (its default). The limit always drops by at least one.
	BackoffRatio float64

	// Gradient holds the knobs of the Gradient algorithm.
	Gradient GradientConfig

	// AIMD holds the knobs of the AIMD algorithm.
	AIMD AIMDConfig

	// OnLimitChange, if set, is called after an adaptive limit changes,
	// with the previously notified limit and the new one: wire it to
	// queue.Queue.SetLimit so that a queue in front waits for the right
	// number of slots. It is called outside any lock of the Concurrency
	// (it may call Limit, InFlight, even Acquire and Done), on the
	// goroutine whose Done changed the limit, and never by two goroutines
	// at once: changes made while it runs are delivered after it returns,
	// coalesced (the last delivered value is always the current limit,
	// and each call's old is the previous call's new).
	OnLimitChange func(old, new int)

	// Rand returns a random number in [0, 1): it jitters the Gradient's
	// minRTT interval and samples its latencies. Nil means
	// math/rand/v2.Float64. Set it to a seeded source to make a run
	// repeatable (a simulation, a test); it must be safe for concurrent
	// use.
	Rand func() float64

	// now is the clock of the adaptive algorithms, which dates the start
	// and end of each call (a Fixed Concurrency, and AIMD without a
	// Timeout, never read it): time.Now, or a package test's manual clock
	// (set through export_test.go). Tests of code that uses a Concurrency
	// drive time with testing/synctest.
	now func() time.Time
}

// GradientConfig holds the knobs of the [Gradient] algorithm. Every zero
// field means its default; the defaults are those of Envoy's adaptive
// concurrency filter (envoy.extensions.filters.http.adaptive_concurrency.v3
// GradientControllerConfig), with the 100ms update interval and 60s minRTT
// interval of its documented example.
type GradientConfig struct {
	// Interval is how often the limit is recomputed from the latencies of
	// the calls that completed since the last time
	// (concurrency_update_interval). Zero means 100ms; negative is an
	// error. The Concurrency has no timer: the limit is recomputed by the
	// first Done after Interval has passed.
	Interval time.Duration

	// Percentile summarises the latencies of an interval (sampleRTT) and
	// of a minRTT measurement (minRTT) (sample_aggregate_percentile). It
	// must be in (0, 1]; zero means 0.5, the median.
	Percentile float64

	// Buffer is the latency increase tolerated before the limit shrinks,
	// as a fraction of minRTT (min_rtt_calc_params.buffer). Zero means
	// 0.25; negative is an error.
	Buffer float64

	// MinRTTInterval is how often minRTT is measured again
	// (min_rtt_calc_params.interval), plus a random jitter of up to 15 %
	// (Envoy's default jitter). Zero means 60s; negative is an error.
	MinRTTInterval time.Duration

	// MinRTTSamples is how many calls a minRTT measurement takes
	// (min_rtt_calc_params.request_count). Zero means 50; negative is an
	// error.
	MinRTTSamples int

	// MinRTTLimit is the limit pinned during a minRTT measurement
	// (min_rtt_calc_params.min_concurrency), low enough for the
	// destination to answer unloaded. Zero means 3, brought within
	// [MinLimit, MaxLimit]; a non-zero value outside them is an error.
	MinRTTLimit int
}

// AIMDConfig holds the knobs of the [AIMD] algorithm.
type AIMDConfig struct {
	// Timeout, if positive, makes a call that took at least this long
	// (from Acquire to Done) count as Dropped, as in Netflix's AIMDLimit.
	// Zero, the default, turns it off: only calls reported as Dropped
	// shrink the limit, and AIMD never reads the clock. Negative is an
	// error.
	Timeout time.Duration
}

// Concurrency defaults.
const (
	defaultLimit         = 20
	defaultMinLimit      = 1
	defaultMaxLimit      = 1000
	defaultBackoffRatio  = 0.9
	defaultInterval      = 100 * time.Millisecond
	defaultPercentile    = 0.5
	defaultBuffer        = 0.25
	defaultMinRTTEvery   = 60 * time.Second
	defaultMinRTTSamples = 50
	defaultMinRTTLimit   = 3
	minRTTJitter         = 0.15
)

// withDefaults fills the zero fields of c and validates the result.
func (c ConcurrencyConfig) withDefaults() (ConcurrencyConfig, error) {
	if c.Algorithm >= numAlgorithms {
		return c, invalid("Algorithm %v is not defined", c.Algorithm)
	}
	if c.Limit < 0 {
		return c, invalid("Limit %d is negative", c.Limit)
	}
	if c.MinLimit < 0 {
		return c, invalid("MinLimit %d is negative", c.MinLimit)
	}
	if c.MinLimit == 0 {
		c.MinLimit = defaultMinLimit
	}
	if c.MaxLimit < 0 {
		return c, invalid("MaxLimit %d is negative", c.MaxLimit)
	}
	if c.MaxLimit == 0 {
		c.MaxLimit = max(defaultMaxLimit, c.MinLimit)
	}
	if c.MinLimit > c.MaxLimit {
		return c, invalid("MinLimit %d is above MaxLimit %d", c.MinLimit, c.MaxLimit)
	}
	adaptive := c.Algorithm != Fixed
	switch {
	case c.Limit == 0 && adaptive:
		c.Limit = min(max(defaultLimit, c.MinLimit), c.MaxLimit)
	case c.Limit == 0:
		c.Limit = defaultLimit
	case adaptive && (c.Limit < c.MinLimit || c.Limit > c.MaxLimit):
		return c, invalid("Limit %d is outside [MinLimit %d, MaxLimit %d]", c.Limit, c.MinLimit, c.MaxLimit)
	}
	if r := c.BackoffRatio; r != 0 && !(r >= 0.5 && r < 1) {
		return c, invalid("BackoffRatio %v is outside [0.5, 1)", r)
	}
	if c.BackoffRatio == 0 {
		c.BackoffRatio = defaultBackoffRatio
	}
	g := &c.Gradient
	if g.Interval < 0 {
		return c, invalid("Gradient.Interval %v is negative", g.Interval)
	}
	if g.Interval == 0 {
		g.Interval = defaultInterval
	}
	if p := g.Percentile; p != 0 && !(p > 0 && p <= 1) {
		return c, invalid("Gradient.Percentile %v is outside (0, 1]", p)
	}
	if g.Percentile == 0 {
		g.Percentile = defaultPercentile
	}
	if b := g.Buffer; b < 0 || math.IsNaN(b) || math.IsInf(b, 0) {
		return c, invalid("Gradient.Buffer %v must be a non-negative number", b)
	}
	if g.Buffer == 0 {
		g.Buffer = defaultBuffer
	}
	if g.MinRTTInterval < 0 {
		return c, invalid("Gradient.MinRTTInterval %v is negative", g.MinRTTInterval)
	}
	if g.MinRTTInterval == 0 {
		g.MinRTTInterval = defaultMinRTTEvery
	}
	if g.MinRTTSamples < 0 {
		return c, invalid("Gradient.MinRTTSamples %d is negative", g.MinRTTSamples)
	}
	if g.MinRTTSamples == 0 {
		g.MinRTTSamples = defaultMinRTTSamples
	}
	switch {
	case g.MinRTTLimit < 0:
		return c, invalid("Gradient.MinRTTLimit %d is negative", g.MinRTTLimit)
	case g.MinRTTLimit == 0:
		g.MinRTTLimit = min(max(defaultMinRTTLimit, c.MinLimit), c.MaxLimit)
	case g.MinRTTLimit < c.MinLimit || g.MinRTTLimit > c.MaxLimit:
		return c, invalid("Gradient.MinRTTLimit %d is outside [MinLimit %d, MaxLimit %d]", g.MinRTTLimit, c.MinLimit, c.MaxLimit)
	}
	if c.AIMD.Timeout < 0 {
		return c, invalid("AIMD.Timeout %v is negative", c.AIMD.Timeout)
	}
	return c, nil
}
