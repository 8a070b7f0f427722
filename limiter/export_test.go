package limiter

import "time"

// The clocks of the package's tests, which draw curves and windows step
// by step on a manual clock.

// ThrottleWithClock returns c with now as its clock.
func ThrottleWithClock(c ThrottleConfig, now func() time.Time) ThrottleConfig {
	c.now = now
	return c
}

// ConcurrencyWithClock returns c with now as its clock.
func ConcurrencyWithClock(c ConcurrencyConfig, now func() time.Time) ConcurrencyConfig {
	c.now = now
	return c
}

// AdaptiveRateWithClock returns c with now as its clock.
func AdaptiveRateWithClock(c AdaptiveRateConfig, now func() time.Time) AdaptiveRateConfig {
	c.now = now
	return c
}
