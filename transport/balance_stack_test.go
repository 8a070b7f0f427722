package transport_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/transport"
)

// Config.Balance through New: three real replicas, one of which answers
// 503. Every call succeeds (a retry goes to another replica), the bad one
// is ejected, and Snapshot shows the endpoints and one breaker per replica.
func TestNewBalanceSpreadsAndEjects(t *testing.T) {
	reps := balStartReplicas(t, 3, map[int]chaos.Phase{1: {Status: 1}})
	res, err := discovery.NewStatic(balEndpoints(reps)...)
	mustNoErr(t, err)
	tr, err := transport.New(transport.Config{
		Retry:   transport.RetryConfig{Backoff: backoff.Constant(0), Budget: backoff.Unlimited()},
		Balance: &transport.BalanceConfig{Resolver: res, Policy: balancer.RoundRobin},
	})
	mustNoErr(t, err)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := range 60 {
		status, _, err := balGet(client, "")
		if err != nil || status != 200 {
			t.Fatalf("call %d: status %d, err %v; want 200", i, status, err)
		}
	}
	snap := tr.Snapshot()
	if len(snap.Endpoints) != 3 {
		t.Fatalf("snapshot has %d endpoints, want 3", len(snap.Endpoints))
	}
	for _, ep := range snap.Endpoints {
		bad := ep.Endpoint.Addr == reps[1].addr
		if bad != (ep.TimesEjected > 0) {
			t.Errorf("endpoint %s (bad %v) ejected %d times", ep.Endpoint.Addr, bad, ep.TimesEjected)
		}
		if !bad && ep.Successes == 0 {
			t.Errorf("healthy endpoint %s got no successful call", ep.Endpoint.Addr)
		}
	}
	if hits := reps[1].hits.Load(); hits > 10 {
		t.Errorf("the failing replica got %d requests; ejection should have stopped them after a few", hits)
	}
	if len(snap.Breakers) != 3 {
		t.Errorf("snapshot has %d breakers, want one per replica (3)", len(snap.Breakers))
	}
}

func TestNewBalanceNeedsABalancerOrAResolver(t *testing.T) {
	_, err := transport.New(transport.Config{Balance: &transport.BalanceConfig{}})
	if !errors.Is(err, transport.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
