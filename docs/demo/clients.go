package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// contender is one client under test, with its own backend.
type contender struct {
	name    string
	client  *http.Client
	pool    *http.Transport
	backend *backend
	calls   *recorder
	// state, when set, describes the client's own state for the progress
	// line.
	state func() string
}

func (c *contender) close() {
	c.pool.CloseIdleConnections()
	c.backend.close()
}

// newContenders builds the three clients, each over its own backend.
func newContenders(cfg config) ([]*contender, error) {
	builders := []struct {
		name  string
		build func(c *contender) (http.RoundTripper, error)
	}{
		{"plain", func(c *contender) (http.RoundTripper, error) { return c.pool, nil }},
		{"naive retry", func(c *contender) (http.RoundTripper, error) { return naiveRetry(c.pool) }},
		{"resilient", func(c *contender) (http.RoundTripper, error) { return resilient(c, cfg.phase) }},
	}
	var out []*contender
	for _, b := range builders {
		be, err := newBackend(cfg)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		c := &contender{name: b.name, pool: newPool(), backend: be, calls: newRecorder(len(phases))}
		out = append(out, c)
		rt, err := b.build(c)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		c.client = &http.Client{Transport: rt}
	}
	return out, nil
}

func closeAll(cs []*contender) {
	for _, c := range cs {
		c.close()
	}
}

// newPool is the same connection pool for every contender, so that only
// the resilience layer differs: http.DefaultTransport's, keeping enough
// idle connections for the load (its default of 2 per host would dial and
// close a connection for most calls).
func newPool() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	return t
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

// resilient is transport.New with its defaults and the overload knob that
// docs/overload.md recommends (an adaptive concurrency limit with a
// shallow queue whose CoDel interval is about the backend's latency). The
// demo plays minutes of incident in seconds, so the breaker's clock is
// scaled to the phase unit (see breakerTimes), and with it the attempt
// timeout, which New requires to be at most half the breaker's window.
func resilient(c *contender, unit time.Duration) (http.RoundTripper, error) {
	window, brk, attempt := breakerTimes(unit)
	rt, err := transport.New(transport.Config{
		Base:           c.pool,
		AttemptTimeout: attempt,
		Breaker: transport.BreakerConfig{Group: breaker.GroupConfig{
			Breaker: breaker.Config{Window: breaker.Window{Period: window}, BreakDuration: brk},
		}},
		Limit: transport.LimitConfig{
			Concurrency: &limiter.ConcurrencyConfig{Algorithm: limiter.Gradient},
			Queue:       &queue.Config{Interval: serviceTime},
		},
	})
	if err != nil {
		return nil, err
	}
	c.state = func() string { return describe(rt.Snapshot()) }
	return rt, nil
}

// breakerTimes scales the breaker's default window (10 s) and break (5 s)
// to the demo's compressed timeline: a window of two phase units, a break
// of half a unit; and the attempt timeout (5 s) to at most half the
// window, as New requires.
func breakerTimes(unit time.Duration) (window, brk, attempt time.Duration) {
	return 2 * unit, unit / 2, min(transport.DefaultConfig.AttemptTimeout, unit)
}

// describe sums up a resilient Transport's state for the progress line:
// its breaker, its adaptive limit and any pause the server asked for.
func describe(s transport.Snapshot) string {
	state := "breaker closed"
	for _, b := range s.Breakers {
		state = "breaker " + b.State.String()
	}
	for _, h := range s.Hosts {
		state += fmt.Sprintf(", limit %d", h.Limit)
		if time.Now().Before(h.PausedUntil) {
			state += ", paused"
		}
	}
	return state
}
