package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

// setAdaptive validates LimitConfig.AdaptiveRate and keeps a copy: a bad
// config fails here, never on a request.
func (t *limitSettings) setAdaptive(cfg LimitConfig) error {
	if cfg.AdaptiveRate != nil && cfg.PushbackOff {
		return fieldError("LimitConfig.AdaptiveRate", "is set with LimitConfig.PushbackOff: the adaptive rate follows server pushback")
	}
	if cfg.PushbackOff || cfg.Rate != nil {
		return nil // no pushback, or the Rate's pause
	}
	var c limiter.AdaptiveRateConfig
	if cfg.AdaptiveRate != nil {
		c = *cfg.AdaptiveRate
	}
	if _, err := limiter.NewAdaptiveRate(c); err != nil {
		return coreError("LimitConfig.AdaptiveRate", err)
	}
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
	// The gate cuts only once a quota is found: follow the rate it serves.
	c.KeepServed = true
	return limiter.NewAdaptiveRate(c)
}

// admitAdaptive lets req go at its host's adaptive rate: it waits for its
// turn within the time its deadline leaves it, less a margin kept for the
// call itself (a fifth of that time, at most 200ms), or (FailFast) is
// refused when the rate is spent.
//
// The margin, because a turn taken at the very end of the deadline is a
// call that fails anyway, after waiting: when more calls come than the
// rate admits, the turns reserved run up to the deadline, and a queue as
// long as the deadline would leave every call admitted too late to be
// served. The cost, a context per call, is paid only while the host is
// limited.
func (t *limitTransport) admitAdaptive(req *http.Request, a *limiter.AdaptiveRate) error {
	if t.failFast {
		return a.Allow()
	}
	ctx := req.Context()
	dl, ok := ctx.Deadline()
	if !ok || a.Limit() == rate.Inf {
		return a.Wait(ctx) // no limit yet: Wait returns at once, and nothing is allocated
	}
	left := time.Until(dl)
	within, cancel := context.WithDeadline(ctx, dl.Add(-min(left/5, maxCallMargin)))
	defer cancel()
	err := a.Wait(within)
	if err != nil && ctx.Err() == nil && !errors.Is(err, limiter.ErrLimited) {
		// Our bound ended, not the caller's deadline: a refusal of ours.
		return fmt.Errorf("%w: %w", limiter.ErrLimited, err)
	}
	return err
}

// feedAdaptive reports an attempt's verdict to its host's adaptive rate
// and pushback gate. A 429 or 503 with Retry-After closes the gate and
// cuts the rate (or, for the probe, keeps the gate shut: the server wants
// silence); a served probe opens it; a 429 without Retry-After cuts the
// rate; anything else counts as sent and not throttled. A throttle to a request sent before the gate closed changes
// nothing: the gate has already answered it.
func (t *limitTransport) feedAdaptive(host string, h *hostLimit, v Verdict, probe bool) {
	a, g := h.adaptive, h.gate
	throttled := v.Reason == ReasonThrottled || v.RetryAfter > 0
	switch {
	case probe && throttled:
		if _, until := g.done(true, v.RetryAfter); t.onPushback != nil {
			t.onPushback(Pushback{Host: host, Until: until})
		}
		return
	case probe:
		if quota, _ := g.done(false, 0); !quota {
			// The server had asked for silence, not a rate: the cut made
			// when the gate shut does not apply.
			a.Forget()
		}
		a.Succeeded()
		return
	case v.RetryAfter > 0:
		closed, until := g.throttled(v.RetryAfter)
		if closed {
			// Cut now, from the rates measured before the gate shut: the
			// cut keeps the rate the server was serving (KeepServed), so a
			// server that turns out to want silence (served everything
			// until now) loses nothing by it, and a quota is followed.
			a.Throttled()
			if t.onPushback != nil {
				t.onPushback(Pushback{Host: host, Until: until})
			}
		}
		return
	case throttled:
		a.Throttled()
		return
	}
	if g.closed.Load() {
		g.servedWhileShut()
	}
	a.Succeeded()
}

// maxCallMargin bounds the time kept for the call itself when it waits
// for its turn at the adaptive rate.
const maxCallMargin = 200 * time.Millisecond
