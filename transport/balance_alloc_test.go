package transport_test

import (
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/transport"
)

// A balanced call through New (Config.Balance) makes at most three
// allocations of its own on the success path (issue 21): the call's
// context and request copy, which the default stack makes anyway, and the
// attempt's rewritten request. The call's memory of the replicas it tried
// lives in the call's context, with hooks or without.
func TestStackBalancedAllocations(t *testing.T) {
	stub := testing.AllocsPerRun(100, func() { roundTripOK(t, okStub) })
	for _, c := range []struct {
		name  string
		hooks transport.Hooks
	}{{"no hooks", transport.Hooks{}}, {"promx's hooks", promxLikeHooks}} {
		rt, err := transport.New(transport.Config{
			Base:    okStub,
			Balance: &transport.BalanceConfig{Balancer: balFor(t, balancer.Config{}, "a:1", "b:1", "c:1")},
			Hooks:   c.hooks,
		})
		mustNoErr(t, err)
		if ours := testing.AllocsPerRun(1000, func() { roundTripOK(t, rt) }) - stub; ours > 3 {
			t.Errorf("%s: %v allocations of ours per call, want <= 3", c.name, ours)
		}
	}
}

// Through New, a retry goes to another replica than the failed attempt
// (the call remembers the replicas it tried), and the hooks count both
// attempts: with the observe stage fused with the call's deadline, and
// apart from it (Coalesce between them).
func TestNewBalanceRetryAvoidsTheTriedReplica(t *testing.T) {
	for _, c := range []struct {
		name     string
		coalesce *transport.CoalesceConfig
		hooks    bool
	}{
		{"no hooks", nil, false},
		{"hooks", nil, true},
		{"hooks and coalesce", &transport.CoalesceConfig{}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var hosts []string // this call's attempts, one at a time
			stub := stubFunc(func(req *http.Request) (*http.Response, error) {
				hosts = append(hosts, req.URL.Host)
				status := http.StatusOK
				if len(hosts) == 1 {
					status = http.StatusServiceUnavailable
				}
				return &http.Response{StatusCode: status, Body: http.NoBody, Request: req}, nil
			})
			var attempts int
			var hooks transport.Hooks
			if c.hooks {
				hooks.OnCallEnd = func(e transport.CallEnd) { attempts = e.Attempts }
			}
			bal := balFor(t, balancer.Config{Outlier: balancer.OutlierConfig{Disable: true}}, "a:1", "b:1")
			rt, err := transport.New(transport.Config{
				Base:     stub,
				Retry:    transport.RetryConfig{Backoff: backoff.Constant(0), Budget: backoff.Unlimited()},
				Breaker:  transport.BreakerConfig{Off: true},
				Coalesce: c.coalesce,
				Balance:  &transport.BalanceConfig{Balancer: bal},
				Hooks:    hooks,
			})
			mustNoErr(t, err)
			for i := range 50 {
				hosts, attempts = nil, 0
				roundTripOK(t, rt)
				if len(hosts) != 2 || hosts[0] == hosts[1] {
					t.Fatalf("call %d: attempts went to %v, want two replicas", i, hosts)
				}
				if c.hooks && attempts != 2 {
					t.Fatalf("call %d: CallEnd.Attempts = %d, want 2", i, attempts)
				}
			}
		})
	}
}
