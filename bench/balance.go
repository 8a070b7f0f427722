package bench

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// balanceReplicas is how many replicas the balanced cases spread over.
const balanceReplicas = 10

// BalanceComparison: a call balanced over ten replicas (issue 21). Ours:
// the default stack with Config.Balance (Peak EWMA, outlier ejection, a
// breaker per replica, retries that avoid the replicas a call tried),
// beside the default stack unbalanced. The standard library's rows do by
// hand the least a balanced call needs: a round-robin pick and a request
// copy addressed to the replica, alone and under the two deadlines
// (context.WithTimeout twice).
func BalanceComparison() Comparison {
	eps := make([]discovery.Endpoint, balanceReplicas)
	for i := range eps {
		eps[i].Addr = "10.0.0." + strconv.Itoa(i+1) + ":80"
	}
	bal, err := balancer.New(balancer.Config{})
	if err != nil {
		panic(err)
	}
	if err := bal.Update(eps); err != nil {
		panic(err)
	}
	balanced, err := transport.New(transport.Config{Base: okStub{}, Balance: &transport.BalanceConfig{Balancer: bal}})
	if err != nil {
		panic(err)
	}
	stack, err := transport.New(transport.Config{Base: okStub{}})
	if err != nil {
		panic(err)
	}
	stub := roundTripCase("stub (floor)", okStub{})
	stub.Floor = true
	return Comparison{Name: "balanced call over ten replicas", Cases: []Case{
		stub,
		ours(roundTripCase("resilient New + Config.Balance (Peak EWMA)", balanced)),
		ours(roundTripCase("resilient New, defaults, unbalanced", stack)),
		reference(roundTripCase("round-robin URL rewrite by hand (stdlib)", roundRobin(okStub{}, eps))),
		reference(roundTripCase("round-robin + two context.WithTimeout by hand (stdlib)", twoTimeouts(roundRobin(okStub{}, eps)))),
	}}
}

// roundRobin is the standard library's least balancer: each request goes
// to the next address, in a shallow copy of the request with its own URL.
func roundRobin(next http.RoundTripper, eps []discovery.Endpoint) http.RoundTripper {
	var n atomic.Uint64
	return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		addr := eps[(n.Add(1)-1)%uint64(len(eps))].Addr
		r := *req
		u := *req.URL
		u.Host = addr
		r.URL = &u
		if r.Host == "" {
			r.Host = req.URL.Host
		}
		resp, err := next.RoundTrip(&r)
		if resp != nil {
			resp.Request = req
		}
		return resp, err
	})
}
