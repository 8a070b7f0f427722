package scenario

import (
	"net/http"
	"sync/atomic"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// The clients of a scenario with several replicas: the same resilient
// stack (transport.New's defaults) over the same pool, spreading the
// calls in three ways.

// ResilientRotation is resilient's default stack with no balancing, over
// a RoundTripper that sends each attempt to the next replica in turn, as
// a client of a DNS name with several A records might: no health
// awareness, and the stack's breaker and load control key on the logical
// host, one for the whole service.
func ResilientRotation() Client {
	return Client{
		Name: "resilient, no balancing",
		Config: "`transport.New(transport.Config{Base: rotation})` with its defaults, where `rotation` sends each attempt to the next replica's address in turn " +
			"(a DNS name with several A records, without health awareness): the stack's breaker and load control see one host, the service.",
		Strict: true,
		NewReplicas: func(base http.RoundTripper, replicas []string) (http.RoundTripper, error) {
			return transport.New(transport.Config{Base: &rotation{next: base, addrs: replicas}})
		},
	}
}

// ResilientRoundRobin is resilient's default stack with Config.Balance:
// round robin over the replicas, outlier ejection off, so that the
// per-replica breakers and the retries to another replica are all that
// steer traffic from a bad one.
func ResilientRoundRobin() Client {
	return Client{
		Name: "resilient + round robin",
		Config: "defaults plus `Balance: &transport.BalanceConfig{Resolver: discovery.NewStatic(replicas...), " +
			"Policy: balancer.RoundRobin, Outlier: balancer.OutlierConfig{Disable: true}}`: " +
			"one breaker per replica, a retry goes to another replica, no ejection.",
		Strict: true,
		NewReplicas: func(base http.RoundTripper, replicas []string) (http.RoundTripper, error) {
			return balanced(base, replicas, balancer.Config{Policy: balancer.RoundRobin, Outlier: balancer.OutlierConfig{Disable: true}})
		},
	}
}

// ResilientPeakEWMA is resilient's default stack with Config.Balance's
// defaults: Peak EWMA with power of two choices, and outlier ejection.
func ResilientPeakEWMA() Client {
	return Client{
		Name: "resilient + Peak EWMA",
		Config: "defaults plus `Balance: &transport.BalanceConfig{Resolver: discovery.NewStatic(replicas...)}`, the balancer's defaults: " +
			"Peak EWMA over two random choices, outlier ejection (5 failures in a row, or 50 % of ≥ 20 calls in 10 s; 30 s out), panic threshold 50 %.",
		Strict: true,
		NewReplicas: func(base http.RoundTripper, replicas []string) (http.RoundTripper, error) {
			return balanced(base, replicas, balancer.Config{})
		},
	}
}

// balanced is transport.New with its defaults and Config.Balance over a
// static list of the replicas.
func balanced(base http.RoundTripper, replicas []string, cfg balancer.Config) (http.RoundTripper, error) {
	eps := make([]discovery.Endpoint, len(replicas))
	for i, a := range replicas {
		eps[i] = discovery.Endpoint{Addr: a}
	}
	res, err := discovery.NewStatic(eps...)
	if err != nil {
		return nil, err
	}
	bal, err := balancer.New(cfg)
	if err != nil {
		return nil, err
	}
	return transport.New(transport.Config{Base: base, Balance: &transport.BalanceConfig{Balancer: bal, Resolver: res}})
}

// rotation sends each attempt to the next address in turn, whatever
// became of the previous ones: the naive spread of a client that resolves
// a name to several addresses.
type rotation struct {
	next  http.RoundTripper
	addrs []string
	n     atomic.Uint64
}

func (r *rotation) RoundTrip(req *http.Request) (*http.Response, error) {
	addr := r.addrs[(r.n.Add(1)-1)%uint64(len(r.addrs))]
	out := req.Clone(req.Context()) // never modify the caller's request
	out.URL.Host = addr
	if out.Host == "" {
		out.Host = req.URL.Host // the Host header keeps the logical name
	}
	resp, err := r.next.RoundTrip(out)
	if resp != nil && resp.Request == out {
		resp.Request = req
	}
	return resp, err
}

// CloseIdleConnections reaches the pool below.
func (r *rotation) CloseIdleConnections() {
	if ci, ok := r.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
