package transport

import (
	"strings"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

// ConcurrencyConfig configures LimitConfig's per-host concurrency limit:
// the settings of limiter.ConcurrencyConfig, repeated here with those of
// its Gradient and AIMD algorithms lifted to the top, so that a config is
// one level deep. Each zero field means limiter's default for it (see
// limiter.ConcurrencyConfig); the zero value is a fixed limit of 20.
type ConcurrencyConfig struct {
	// Algorithm chooses how the limit moves: limiter.Fixed (the
	// default), limiter.Gradient (from latency) or limiter.AIMD.
	Algorithm limiter.Algorithm
	// Limit is the initial (for Fixed, the only) limit. Zero means 20.
	Limit int
	// MinLimit and MaxLimit bound an adaptive limit. Zero means 1 and
	// 1000.
	MinLimit, MaxLimit int
	// BackoffRatio is how much an adaptive limit shrinks on a drop (see
	// limiter.ConcurrencyConfig.BackoffRatio). Zero means 0.9.
	BackoffRatio float64

	// Interval, Percentile, Buffer, MinRTTInterval, MinRTTSamples and
	// MinRTTLimit tune the Gradient algorithm (see limiter.GradientConfig,
	// whose fields they are). They are ignored by the other algorithms.
	Interval       time.Duration
	Percentile     float64
	Buffer         float64
	MinRTTInterval time.Duration
	MinRTTSamples  int
	MinRTTLimit    int

	// AIMDTimeout is the latency past which the AIMD algorithm counts a
	// call as a drop (limiter.AIMDConfig.Timeout).
	AIMDTimeout time.Duration

	// OnLimitChange, if set, is called after each change of a host's
	// limit (see limiter.ConcurrencyConfig.OnLimitChange).
	OnLimitChange func(old, new int)
}

// limiterConfig returns c as limiter's config.
func (c *ConcurrencyConfig) limiterConfig() limiter.ConcurrencyConfig {
	return limiter.ConcurrencyConfig{
		Algorithm:    c.Algorithm,
		Limit:        c.Limit,
		MinLimit:     c.MinLimit,
		MaxLimit:     c.MaxLimit,
		BackoffRatio: c.BackoffRatio,
		Gradient: limiter.GradientConfig{
			Interval:       c.Interval,
			Percentile:     c.Percentile,
			Buffer:         c.Buffer,
			MinRTTInterval: c.MinRTTInterval,
			MinRTTSamples:  c.MinRTTSamples,
			MinRTTLimit:    c.MinRTTLimit,
		},
		AIMD:          limiter.AIMDConfig{Timeout: c.AIMDTimeout},
		OnLimitChange: c.OnLimitChange,
	}
}

// concurrencyError returns limiter's refusal of a ConcurrencyConfig held
// in field, with the path of the lifted field ("Gradient.Interval" is
// field.Interval, "AIMD.Timeout" field.AIMDTimeout).
func concurrencyError(field string, err error) error {
	e := coreError(field, err).(*ConfigError)
	if rest, ok := strings.CutPrefix(e.Field, field+".Gradient."); ok {
		e.Field = field + "." + rest
	} else if e.Field == field+".AIMD.Timeout" {
		e.Field = field + ".AIMDTimeout"
	}
	return e
}
