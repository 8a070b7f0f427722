package limiter

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// AdaptiveRateConfig describes an [AdaptiveRate]; [NewAdaptiveRate] builds
// one. Every zero field means its default, so the zero AdaptiveRateConfig
// is the AWS SDKs' "adaptive" retry mode (their client-side rate limiter:
// β = 0.7, C = 0.4, a floor of 0.5 requests per second, the send rate
// measured in half-second windows smoothed by 0.8), with no ceiling. An
// AdaptiveRateConfig is a plain value: copy it, change it, and pass it to
// NewAdaptiveRate.
type AdaptiveRateConfig struct {
	// MaxRate is the ceiling, in requests per second: the rate before the
	// first throttle, and the most the rate grows back to after one. Zero
	// (or rate.Inf) means none: no limit at all until the server first
	// throttles (the AWS SDKs' behaviour). Negative and NaN are errors.
	MaxRate rate.Limit

	// MinRate is the floor, in requests per second: however often the
	// server throttles, the rate is never cut below it, so that calls
	// keep probing the server and see it recover. Zero means 0.5, the AWS
	// SDKs' minimum fill rate (or MaxRate, if lower). Negative, NaN, +Inf
	// and more than MaxRate are errors.
	MinRate rate.Limit

	// Burst is the token bucket's size. Zero means one second's worth of
	// the current rate, max(1, ⌈rate⌉), following the rate as it changes
	// (the AWS SDKs size their bucket so). Negative is an error.
	Burst int

	// Beta is the multiplicative decrease: a throttle cuts the rate to
	// Beta × the rate measured when it came. Zero means 0.7 (CUBIC's β_cubic,
	// RFC 9438, and the AWS SDKs'). It must be in (0, 1).
	Beta float64

	// Scale is CUBIC's C, in requests per second per second³: after a
	// cut, the rate grows as Scale·(t−K)³ + Wmax, back to the rate of the
	// cut (Wmax) after K = ∛(Wmax·(1−Beta)/Scale) seconds, and beyond it
	// ever faster. Zero means 0.4 (CUBIC's C, RFC 9438,
	// and the AWS SDKs'). It
	// must be positive and finite.
	Scale float64

	// Window is the measurement window of the send rate: the rate is the
	// calls reported (Throttled or Succeeded) per Window, smoothed across
	// windows by Smooth. Zero means 500ms, the AWS SDKs'. Negative is an
	// error.
	Window time.Duration

	// Smooth is the weight of the latest window in the measured rate (an
	// exponentially weighted moving average). Zero means 0.8, the AWS
	// SDKs'. It must be in (0, 1].
	Smooth float64

	// Hold is how long after a cut further throttles do not cut again:
	// they answer calls sent at the old rate, before the cut could take
	// effect, as TCP cuts its window once per round trip, not once per
	// lost packet (RFC 9438 reduces once per congestion event). Zero
	// means Window. Negative is an error. (The AWS SDKs cut on every
	// throttled response, which, with many calls in flight, takes the
	// rate to the floor in one burst of 429s.)
	Hold time.Duration

	// KeepServed, when set, follows a quota more closely than the AWS
	// SDKs do, for a caller that tells quotas from other throttles
	// (transport's pushback gate sets it):
	//
	//   - a cut never goes below the rate the server was measured serving
	//     (the reports that were not throttled): a quota shows itself as
	//     that rate, and cutting under it would leave part of it unused
	//     while the curve climbs back;
	//   - the first cut, from no limit, starts from the busiest of the
	//     last 16 windows, not from a smoothed rate that other stages may
	//     have held down (an open breaker through an outage);
	//   - a rise keeps the turns of the calls waiting in Wait (there is
	//     no need to queue them again; a cut of under a tenth keeps them
	//     too, whatever KeepServed);
	//   - once the rate is past the rate of the last cut and no throttle
	//     has come for 4 s, it doubles every 2 s (or follows the cubic,
	//     if higher): the release, so that a quota that was lifted holds
	//     the callers back for seconds, not the cubic's ten or more at
	//     hundreds of calls per second;
	//   - while no limit applies, Succeeded books its reports 16 at a time
	//     (one clock read and one lock per 16 calls, not per call): the
	//     rates are then measured to within 16 reports.
	//
	// Off, the cut is the AWS SDKs' Beta × the send rate.
	KeepServed bool

	// Name names the destination (a host) in rejection errors. Empty
	// means none.
	Name string

	// now is the clock: time.Now, or a package test's manual clock (set
	// through export_test.go) that draws the rate's curve step by step.
	// Tests of code that uses an AdaptiveRate drive time with
	// testing/synctest.
	now func() time.Time
}

// AdaptiveRate defaults, those of the AWS SDKs' adaptive retry mode
// (aws-sdk-go-v2 aws/retry/adaptive_ratelimit.go, botocore
// retries/adaptive.py): CUBIC's β and C from RFC 9438.
const (
	defaultAdaptiveMinRate = 0.5
	defaultAdaptiveBeta    = 0.7
	defaultAdaptiveScale   = 0.4
	defaultAdaptiveWindow  = 500 * time.Millisecond
	defaultAdaptiveSmooth  = 0.8
)

// withDefaults fills the zero fields of c and validates the result.
func (c AdaptiveRateConfig) withDefaults() (AdaptiveRateConfig, error) {
	if m := float64(c.MaxRate); math.IsNaN(m) || m < 0 {
		return c, invalid("MaxRate %v must be positive (or zero for no ceiling)", m)
	}
	if c.MaxRate == 0 || math.IsInf(float64(c.MaxRate), 1) {
		c.MaxRate = rate.Inf
	}
	if m := float64(c.MinRate); math.IsNaN(m) || m < 0 || math.IsInf(m, 1) || c.MinRate == rate.Inf {
		return c, invalid("MinRate %v must be positive and finite", m)
	}
	if c.MinRate == 0 {
		c.MinRate = min(defaultAdaptiveMinRate, c.MaxRate)
	}
	if c.MinRate > c.MaxRate {
		return c, invalid("MinRate %v is above MaxRate %v", float64(c.MinRate), float64(c.MaxRate))
	}
	if c.Burst < 0 {
		return c, invalid("Burst %d is negative", c.Burst)
	}
	if c.Beta != 0 && !(c.Beta > 0 && c.Beta < 1) {
		return c, invalid("Beta %v must be in (0, 1)", c.Beta)
	}
	if c.Beta == 0 {
		c.Beta = defaultAdaptiveBeta
	}
	if c.Scale != 0 && !(c.Scale > 0 && !math.IsInf(c.Scale, 1)) {
		return c, invalid("Scale %v must be positive and finite", c.Scale)
	}
	if c.Scale == 0 {
		c.Scale = defaultAdaptiveScale
	}
	if c.Window < 0 {
		return c, invalid("Window %v is negative", c.Window)
	}
	if c.Window == 0 {
		c.Window = defaultAdaptiveWindow
	}
	if c.Smooth != 0 && !(c.Smooth > 0 && c.Smooth <= 1) {
		return c, invalid("Smooth %v must be in (0, 1]", c.Smooth)
	}
	if c.Smooth == 0 {
		c.Smooth = defaultAdaptiveSmooth
	}
	if c.Hold < 0 {
		return c, invalid("Hold %v is negative", c.Hold)
	}
	if c.Hold == 0 {
		c.Hold = c.Window
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}
