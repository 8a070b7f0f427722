package transport_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// balClock stands in for time.After: every wait asked for fires only
// when the test takes it from asked and fires it.
type balClock struct{ asked chan chan time.Time }

func (c *balClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.asked <- ch
	return ch
}

// done waits for the checker to finish a round (it then asks for a
// wait) and returns the wait: send on it to start the next round.
func (c *balClock) done(t *testing.T) chan time.Time {
	t.Helper()
	select {
	case ch := <-c.asked:
		return ch
	case <-time.After(10 * time.Second):
		t.Fatal("the checker finished no round")
		return nil
	}
}

func TestHealthCheckMarksEndpointsAndTrafficAvoidsThem(t *testing.T) {
	var sick atomic.Bool
	sick.Store(true)
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer good.Close()
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && sick.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer flaky.Close()
	bal, err := balancer.New(balancer.Config{Policy: balancer.RoundRobin})
	if err != nil {
		t.Fatal(err)
	}
	_ = bal.Update([]discovery.Endpoint{{Addr: good.Listener.Addr().String()}, {Addr: flaky.Listener.Addr().String()}})
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	changes := make(chan bool, 4)
	clock := &balClock{asked: make(chan chan time.Time, 1)}
	hc, err := transport.NewHealthCheck(transport.HealthCheckConfig{
		Balancer: bal, Transport: base, Interval: time.Second, After: clock.After,
		UnhealthyThreshold: 2, HealthyThreshold: 2,
		OnChange: func(addr string, healthy bool) {
			if addr == flaky.Listener.Addr().String() {
				changes <- healthy
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()

	healthyOf := func() bool { return bal.Endpoints()[1].Healthy }
	next := clock.done(t) // round 1: one failure, still healthy
	if !healthyOf() {
		t.Fatal("unhealthy after one failed check, threshold is 2")
	}
	next <- time.Time{}
	next = clock.done(t) // round 2
	if healthyOf() || !waitBool(t, changes, false) {
		t.Fatal("healthy after two failed checks")
	}
	// Calls avoid it now.
	mw, _ := transport.Balance(transport.BalanceConfig{Balancer: bal})
	c := &http.Client{Transport: transport.Chain(base, mw)}
	for range 10 {
		resp, err := c.Get("http://svc/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := bal.Endpoints()[1].Successes; n != 0 {
		t.Fatalf("unhealthy endpoint served %d calls", n)
	}
	sick.Store(false)
	next <- time.Time{}
	clock.done(t) <- time.Time{} // round 3: one good check
	clock.done(t)                // round 4: two
	if !waitBool(t, changes, true) || !healthyOf() {
		t.Fatal("not healthy again after two good checks")
	}
}

func waitBool(t *testing.T, ch chan bool, want bool) bool {
	t.Helper()
	select {
	case got := <-ch:
		return got == want
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported")
		return false
	}
}

func TestHealthCheckConfigErrors(t *testing.T) {
	bal, _ := balancer.New(balancer.Config{})
	for name, cfg := range map[string]transport.HealthCheckConfig{
		"no balancer": {},
		"interval":    {Balancer: bal, Interval: -1},
		"timeout":     {Balancer: bal, Interval: time.Second, Timeout: time.Minute},
		"threshold":   {Balancer: bal, HealthyThreshold: -1},
	} {
		if _, err := transport.NewHealthCheck(cfg); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}
