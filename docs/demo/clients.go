package main

import (
	"net/http"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// contender is one client under test with its own backend.
type contender struct {
	name    string
	client  *http.Client
	pool    *http.Transport
	backend *backend
	stats   *recorder
}

func (c *contender) close() {
	c.pool.CloseIdleConnections()
	c.backend.close()
}

func newContenders(cfg config) ([]*contender, error) {
	builders := []struct {
		name string
		wrap func(http.RoundTripper) (http.RoundTripper, error)
	}{
		{"plain", func(rt http.RoundTripper) (http.RoundTripper, error) { return rt, nil }},
		{"naive retry", naiveRetry},
		{"resilient", func(rt http.RoundTripper) (http.RoundTripper, error) { return resilientStack(rt, cfg.phase) }},
	}
	var out []*contender
	for _, b := range builders {
		be, err := newBackend(cfg.seed, cfg.phase)
		if err != nil {
			return nil, err
		}
		pool := newPool()
		rt, err := b.wrap(pool)
		if err != nil {
			be.close()
			return nil, err
		}
		out = append(out, &contender{
			name:    b.name,
			client:  &http.Client{Transport: rt},
			pool:    pool,
			backend: be,
			stats:   newRecorder(len(phaseNames)),
		})
	}
	return out, nil
}

// newPool is the same connection pool for every contender, so that only
// the resilience layer differs.
func newPool() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	return t
}

// resilientStack is resilient with its defaults, retries with a budget
// outside a per-host circuit breaker, but for the breaker's clock: the
// demo plays minutes of incidents in seconds, so the breaker's window and
// break are scaled to the phase unit as well (see breakerTimes).
func resilientStack(base http.RoundTripper, unit time.Duration) (http.RoundTripper, error) {
	retry, err := transport.Retry(transport.RetryConfig{})
	if err != nil {
		return nil, err
	}
	window, brk := breakerTimes(unit)
	guard, err := transport.Breaker(transport.BreakerConfig{Group: breaker.GroupConfig{
		Breaker: breaker.Config{Window: breaker.Window{Period: window}, BreakDuration: brk},
	}})
	if err != nil {
		return nil, err
	}
	return transport.Chain(base, retry, guard), nil
}

// breakerTimes scales the breaker's default window (10 s) and break (5 s)
// to the demo's compressed timeline: a window of two phase units, a break
// of half a unit.
func breakerTimes(unit time.Duration) (window, brk time.Duration) {
	return 2 * unit, unit / 2
}

// naiveRetry is what many services hand-roll: three attempts, 100ms
// exponential backoff, no budget, Retry-After ignored.
func naiveRetry(base http.RoundTripper) (http.RoundTripper, error) {
	s, err := backoff.New(backoff.Config{Base: 100 * time.Millisecond, Jitter: backoff.NoJitter})
	if err != nil {
		return nil, err
	}
	retry, err := transport.Retry(transport.RetryConfig{
		MaxAttempts: 3,
		Backoff:     s,
		Budget:      backoff.Unlimited(),
		// Retry-After capped to nothing: the backoff alone decides.
		MaxRetryAfter: time.Nanosecond,
	})
	if err != nil {
		return nil, err
	}
	return transport.Chain(base, retry), nil
}
