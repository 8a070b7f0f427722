package main

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/resilient-go/resilient/backoff"
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

// resilient is transport.New with its defaults, as a new user gets it:
// the zero Config over the shared pool.
func resilient(c *contender, _ time.Duration) (http.RoundTripper, error) {
	rt, err := transport.New(transport.Config{Base: c.pool})
	if err != nil {
		return nil, err
	}
	c.state = func() string { return describe(rt.Snapshot()) }
	return rt, nil
}

// describe sums up a resilient Transport's state for the progress line:
// its breaker, and the host's adaptive rate once a quota cut it.
func describe(s transport.Snapshot) string {
	state := "breaker closed"
	for _, b := range s.Breakers {
		state = "breaker " + b.State.String()
	}
	for _, h := range s.Hosts {
		if !math.IsInf(h.AdaptiveRate, 1) && h.AdaptiveRate > 0 {
			state += fmt.Sprintf(", rate %.0f/s", h.AdaptiveRate)
		}
	}
	return state
}
