package transport_test

import (
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// promxLikeHooks are the hooks a metrics observer (promx) sets, each a
// no-op: what observation costs the stack, not what the observer does.
var promxLikeHooks = transport.Hooks{
	OnCallEnd:            func(transport.CallEnd) {},
	OnAttemptEnd:         func(transport.AttemptEnd) {},
	OnRetry:              func(transport.RetryEvent) {},
	OnBudgetExhausted:    func(transport.RetryEvent) {},
	OnBreakerStateChange: func(breaker.StateChange) {},
	OnRejected:           func(transport.Rejection) {},
	OnPushback:           func(transport.Pushback) {},
}

// The default stack, both deadlines on, makes at most three allocations
// of its own per call on the success path (issue 21: one context and one
// request copy per call, where the two deadlines cost eleven), and hooks
// add none.
func TestStackDefaultAllocations(t *testing.T) {
	stub := testing.AllocsPerRun(100, func() { roundTripOK(t, okStub) })
	for _, c := range []struct {
		name  string
		hooks transport.Hooks
	}{{"no hooks", transport.Hooks{}}, {"promx's hooks", promxLikeHooks}} {
		rt, err := transport.New(transport.Config{Base: okStub, Hooks: c.hooks})
		mustNoErr(t, err)
		if ours := testing.AllocsPerRun(1000, func() { roundTripOK(t, rt) }) - stub; ours > 3 {
			t.Errorf("%s: %v allocations of ours per call, want <= 3", c.name, ours)
		}
	}
}

func roundTripOK(t *testing.T, rt http.RoundTripper) {
	req, _ := http.NewRequest("GET", "http://x.test/", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(resp, err)
	}
}
