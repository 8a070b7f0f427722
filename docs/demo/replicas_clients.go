package main

import (
	"net/http"
	"sync/atomic"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// replicaHost is the service's logical host, which the calls address: no
// DNS knows it, so only the clients' spreading sends a call anywhere.
const replicaHost = "replicas.invalid"

// replicaContender is one way of spreading the calls, with its own three
// replicas.
type replicaContender struct {
	name      string
	client    *http.Client
	transport *transport.Transport
	pool      *http.Transport
	replicas  []*replica
	calls     *recorder
}

func (c *replicaContender) close() {
	c.pool.CloseIdleConnections()
	for _, r := range c.replicas {
		r.close()
	}
}

// newReplicaContenders builds the three clients, each over its own
// replicas: transport.New with its defaults, without balancing (each
// attempt to the next address in turn, as a client of a DNS name with
// several A records), with round robin (ejection off), and with the
// balancer's defaults (Peak EWMA, outlier ejection).
func newReplicaContenders(cfg config) ([]*replicaContender, error) {
	builders := []struct {
		name    string
		balance *balancer.Config // nil: no balancing
	}{
		{"no balancing", nil},
		{"round robin", &balancer.Config{Policy: balancer.RoundRobin, Outlier: balancer.OutlierConfig{Disable: true}}},
		{"Peak EWMA", &balancer.Config{}},
	}
	var out []*replicaContender
	for _, b := range builders {
		c := &replicaContender{name: b.name, pool: newPool(), calls: newRecorder(len(replicaPhases))}
		out = append(out, c)
		var eps []discovery.Endpoint
		var addrs []string
		for i := range numReplicas {
			r, err := newReplica(cfg, i)
			if err != nil {
				closeReplicaContenders(out)
				return nil, err
			}
			c.replicas = append(c.replicas, r)
			addr := r.server.Listener.Addr().String()
			addrs = append(addrs, addr)
			eps = append(eps, discovery.Endpoint{Addr: addr})
		}
		tc := transport.Config{Base: &rotation{next: c.pool, addrs: addrs}}
		if b.balance != nil {
			res, err := discovery.NewStatic(eps...)
			if err != nil {
				closeReplicaContenders(out)
				return nil, err
			}
			bal, err := balancer.New(*b.balance)
			if err != nil {
				closeReplicaContenders(out)
				return nil, err
			}
			tc = transport.Config{Base: c.pool, Balance: &transport.BalanceConfig{Balancer: bal, Resolver: res}}
		}
		rt, err := transport.New(tc)
		if err != nil {
			closeReplicaContenders(out)
			return nil, err
		}
		c.transport, c.client = rt, &http.Client{Transport: rt}
	}
	return out, nil
}

func closeReplicaContenders(cs []*replicaContender) {
	for _, c := range cs {
		c.close()
	}
}

// rotation sends each attempt to the next address in turn, whatever
// became of the previous ones: the naive spread, with no health
// awareness. The stack above it sees one host, the service.
type rotation struct {
	next  http.RoundTripper
	addrs []string
	n     atomic.Uint64
}

func (r *rotation) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context()) // never modify the caller's request
	out.URL.Host = r.addrs[(r.n.Add(1)-1)%uint64(len(r.addrs))]
	if out.Host == "" {
		out.Host = req.URL.Host // the Host header keeps the logical name
	}
	resp, err := r.next.RoundTrip(out)
	if resp != nil && resp.Request == out {
		resp.Request = req
	}
	return resp, err
}
