package transport

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/resilient-go/resilient/balancer"
)

// HealthCheckConfig configures active health checks of a Balancer's
// endpoints. Each field says what its zero value means; Balancer is
// required.
type HealthCheckConfig struct {
	// Balancer's endpoints are checked, and their verdicts recorded with
	// Balancer.SetHealthy. Required.
	Balancer *balancer.Balancer

	// Transport sends the checks. Nil means http.DefaultTransport. Give
	// it the same base as the client's, so that TLS settings agree, but
	// not the resilient stack: a check must see the endpoint as it is.
	Transport http.RoundTripper

	// Scheme and Path make the check's URL: Scheme://endpoint/Path. Zero
	// means "http" and "/healthz".
	Scheme, Path string
	// Host is the Host header of the checks. Empty means the endpoint's
	// address.
	Host string

	// Interval is the time between two rounds of checks; the first round
	// runs at once. Zero means 10s; negative is an error.
	Interval time.Duration
	// Timeout bounds each check. Zero means 2s; negative, or longer than
	// Interval, is an error.
	Timeout time.Duration

	// An endpoint becomes unhealthy after UnhealthyThreshold failed checks
	// in a row (a transport error, a timeout, a status outside 200-399),
	// and healthy again after HealthyThreshold good ones. Zero means 3
	// and 2; negative is an error.
	UnhealthyThreshold, HealthyThreshold int

	// OnChange, when set, is called after an endpoint's verdict changed,
	// on the checker's goroutine.
	OnChange func(addr string, healthy bool)

	// After returns a channel that fires after d, as time.After does. Nil
	// means time.After; tests inject a clock of their own.
	After func(d time.Duration) <-chan time.Time
}

// HealthCheck checks a Balancer's endpoints actively, in the background:
// each round sends one request to every endpoint of the current set, at
// once, and marks endpoints healthy or unhealthy after consecutive
// results cross the thresholds. Unhealthy endpoints are not picked
// (unless the balancer's panic threshold says to use everyone).
//
// A HealthCheck owns one goroutine (and one per check while a round
// runs); Close stops them.
type HealthCheck struct {
	cfg    HealthCheckConfig
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	// owned by the checker goroutine
	state map[string]*healthState
}

type healthState struct {
	healthy   bool
	good, bad int // consecutive results
}

// NewHealthCheck validates cfg and starts checking.
func NewHealthCheck(cfg HealthCheckConfig) (*HealthCheck, error) {
	c := cfg
	bad := func(format string, args ...any) (*HealthCheck, error) {
		field, reason, _ := strings.Cut(fmt.Sprintf(format, args...), " ")
		return nil, &ConfigError{Field: "HealthCheckConfig." + field, Reason: reason}
	}
	switch {
	case c.Balancer == nil:
		return bad("Balancer is nil")
	case c.Interval < 0:
		return bad("Interval is %v, must be >= 0", c.Interval)
	case c.Timeout < 0:
		return bad("Timeout is %v, must be >= 0", c.Timeout)
	case c.UnhealthyThreshold < 0 || c.HealthyThreshold < 0:
		return bad("UnhealthyThreshold and HealthyThreshold are %d and %d, must be >= 0", c.UnhealthyThreshold, c.HealthyThreshold)
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
	}
	if c.Scheme == "" {
		c.Scheme = "http"
	}
	if c.Path == "" {
		c.Path = "/healthz"
	}
	if c.Interval == 0 {
		c.Interval = 10 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = min(2*time.Second, c.Interval)
	}
	if c.Timeout > c.Interval {
		return bad("Timeout %v exceeds Interval %v", c.Timeout, c.Interval)
	}
	if c.UnhealthyThreshold == 0 {
		c.UnhealthyThreshold = 3
	}
	if c.HealthyThreshold == 0 {
		c.HealthyThreshold = 2
	}
	if c.After == nil {
		c.After = time.After
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &HealthCheck{cfg: c, ctx: ctx, cancel: cancel, done: make(chan struct{}), state: map[string]*healthState{}}
	go h.loop()
	return h, nil
}

// Close stops the checks, cancelling those under way, and waits for the
// checker's goroutines to end. The verdicts recorded stay. It is safe to
// call more than once.
func (h *HealthCheck) Close() error {
	h.once.Do(h.cancel)
	<-h.done
	return nil
}

func (h *HealthCheck) loop() {
	defer close(h.done)
	for {
		h.round()
		select {
		case <-h.ctx.Done():
			return
		case <-h.cfg.After(h.cfg.Interval):
		}
	}
}

// round checks every endpoint of the current set once.
func (h *HealthCheck) round() {
	eps := h.cfg.Balancer.Endpoints()
	results := make([]bool, len(eps))
	var wg sync.WaitGroup
	for i, st := range eps {
		wg.Go(func() { results[i] = h.check(st.Endpoint.Addr) })
	}
	wg.Wait()
	if h.ctx.Err() != nil {
		return // cancelled checks say nothing about the endpoints
	}
	seen := make(map[string]bool, len(eps))
	for i, st := range eps {
		addr := st.Endpoint.Addr
		seen[addr] = true
		s := h.state[addr]
		if s == nil {
			s = &healthState{healthy: st.Healthy}
			h.state[addr] = s
		}
		if results[i] {
			s.good, s.bad = s.good+1, 0
		} else {
			s.good, s.bad = 0, s.bad+1
		}
		switch {
		case s.healthy && s.bad >= h.cfg.UnhealthyThreshold:
			s.healthy = false
		case !s.healthy && s.good >= h.cfg.HealthyThreshold:
			s.healthy = true
		default:
			continue
		}
		h.cfg.Balancer.SetHealthy(addr, s.healthy)
		if h.cfg.OnChange != nil {
			h.cfg.OnChange(addr, s.healthy)
		}
	}
	for addr := range h.state {
		if !seen[addr] {
			delete(h.state, addr) // left the set
		}
	}
}

// check sends one health check to addr and reports whether it passed.
func (h *HealthCheck) check(addr string) bool {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.cfg.Scheme+"://"+addr+h.cfg.Path, nil)
	if err != nil {
		return false
	}
	if h.cfg.Host != "" {
		req.Host = h.cfg.Host
	}
	resp, err := h.cfg.Transport.RoundTrip(req)
	if err != nil {
		return false
	}
	// Drained so the probe's connection is reused, but a body that
	// stalls is cut short (by cancelling the check) rather than holding
	// the round until the timeout.
	discard(resp, drainWait, cancel)
	return resp.StatusCode >= 200 && resp.StatusCode < 400
}
