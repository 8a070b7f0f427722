package transport

import (
	"fmt"
	"net/http"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

// setAdaptive validates LimitConfig.AdaptiveRate and keeps a copy: a bad
// config fails here, never on a request.
func (t *limitSettings) setAdaptive(cfg LimitConfig) error {
	if cfg.AdaptiveRate == nil {
		return nil
	}
	if cfg.DisablePushback {
		return fmt.Errorf("%w: LimitConfig.AdaptiveRate is set with DisablePushback: the adaptive rate follows server pushback", ErrInvalidConfig)
	}
	if _, err := limiter.NewAdaptiveRate(*cfg.AdaptiveRate); err != nil {
		return fmt.Errorf("%w: LimitConfig.AdaptiveRate: %w", ErrInvalidConfig, err)
	}
	c := *cfg.AdaptiveRate
	t.adaptive = &c
	return nil
}

// newAdaptive returns host's adaptive rate, or nil when the pause is in
// use.
func (t *limitSettings) newAdaptive(host string) (*limiter.AdaptiveRate, error) {
	if t.adaptive == nil {
		return nil, nil
	}
	c := *t.adaptive
	c.Name = host
	return limiter.NewAdaptiveRate(c)
}

// admitAdaptive lets req go at its host's adaptive rate, or refuses it
// (WaitForRate: waits for its turn).
func (t *limitTransport) admitAdaptive(req *http.Request, a *limiter.AdaptiveRate) error {
	if t.waitForRate {
		return a.Wait(req.Context())
	}
	return a.Allow()
}

// feedAdaptive reports an attempt's verdict to its host's adaptive rate:
// a 429 (with or without Retry-After) or any Retry-After is a throttle,
// anything else counts as sent and not throttled.
func (t *limitTransport) feedAdaptive(host string, a *limiter.AdaptiveRate, v Verdict) {
	if v.Reason != ReasonThrottled && v.RetryAfter <= 0 {
		a.Succeeded()
		return
	}
	a.Throttled()
	if v.RetryAfter > 0 && t.onPushback != nil {
		t.onPushback(Pushback{Host: host, Until: time.Now().Add(v.RetryAfter)})
	}
}
