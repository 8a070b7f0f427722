package discoverystatic_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/transport"
)

// newClient returns a client of the logical host "users.internal" whose
// calls are spread over the endpoints of users, and the stack, whose
// Snapshot holds each endpoint's statistics. Config.Balance puts the
// balancer inside the recommended stack: each attempt (a retry included)
// picks its endpoint, a retry avoids the endpoints its call already
// tried, and each endpoint gets a breaker of its own.
func newClient(users discovery.Resolver, onEject func(balancer.Ejection)) (*http.Client, *transport.Transport, error) {
	stack, err := transport.New(transport.Config{
		Balance: &transport.BalanceConfig{
			Resolver: users,
			Host:     "users.internal",

			Policy:  balancer.RoundRobin,
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3},
			Hooks:   balancer.Hooks{OnEject: onEject},
		},
	})
	if err != nil {
		return nil, nil, err
	}
	return &http.Client{Transport: stack}, stack, nil
}

// replicas starts one loopback server per handler and returns their
// endpoints.
func replicas(handlers ...http.HandlerFunc) ([]discovery.Endpoint, func()) {
	var eps []discovery.Endpoint
	var servers []*httptest.Server
	for _, h := range handlers {
		srv := httptest.NewServer(h)
		servers = append(servers, srv)
		eps = append(eps, discovery.Endpoint{Addr: srv.Listener.Addr().String()})
	}
	return eps, func() {
		for _, s := range servers {
			s.Close()
		}
	}
}

// A fixed fleet of three replicas, one of them broken: every call
// succeeds (a call that meets the broken one is retried on another), and
// the broken one is ejected after three failures.
func Example() {
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	broken := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }
	eps, stop := replicas(ok, broken, ok)
	defer stop()

	users, err := discovery.NewStatic(eps...)
	if err != nil {
		panic(err)
	}
	client, stack, err := newClient(users, func(e balancer.Ejection) {
		fmt.Println("ejected the broken replica:", e.Addr == eps[1].Addr, "after", e.Reason)
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()

	succeeded := 0
	for range 30 {
		resp, err := client.Get("http://users.internal/v1/users/42")
		if err != nil {
			fmt.Println(err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			succeeded++
		}
	}
	fmt.Println("succeeded:", succeeded, "of 30")
	for i, st := range stack.Snapshot().Endpoints {
		fmt.Printf("replica %d: served %v, failed %d, ejected %v\n", i, st.Successes > 0, st.Failures, st.Ejected())
	}
	// Output:
	// ejected the broken replica: true after consecutive_failures
	// succeeded: 30 of 30
	// replica 0: served true, failed 0, ejected false
	// replica 1: served false, failed 3, ejected true
	// replica 2: served true, failed 0, ejected false
}

// registry stands for a service registry client (Consul, etcd, the
// Kubernetes API): Watch blocks until the service's endpoints differ from
// the version the caller has, then returns them and their new version.
type registry interface {
	Watch(ctx context.Context, service string, version uint64) ([]discovery.Endpoint, uint64, error)
}

// registryResolver adapts a registry to discovery.Resolver: it embeds a
// discovery.Broadcast, which holds the current set and delivers it to
// subscribers, and publishes every set its watch loop receives.
type registryResolver struct {
	discovery.Broadcast
	cancel context.CancelFunc
	done   chan struct{}
}

func newRegistryResolver(reg registry, service string, onError func(error)) *registryResolver {
	ctx, cancel := context.WithCancel(context.Background())
	r := &registryResolver{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		var version uint64
		for ctx.Err() == nil {
			eps, v, err := reg.Watch(ctx, service, version)
			if err == nil {
				version = v
				err = r.Publish(eps) // refuses an empty or invalid set
			}
			if err != nil && ctx.Err() == nil {
				onError(err)
			}
		}
	}()
	return r
}

func (r *registryResolver) Close() {
	r.cancel()
	<-r.done
}

// fakeRegistry serves versions of a service's endpoint set, one per
// Watch call, as a registry would on each change. Versions after the
// first wait until release is closed.
type fakeRegistry struct {
	versions [][]discovery.Endpoint
	release  chan struct{}
}

func (f *fakeRegistry) Watch(ctx context.Context, service string, version uint64) ([]discovery.Endpoint, uint64, error) {
	if version > 0 {
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, version, ctx.Err()
		}
	}
	if int(version) >= len(f.versions) {
		<-ctx.Done() // nothing changes any more
		return nil, version, ctx.Err()
	}
	return f.versions[version], version + 1, nil
}

// An adapter for a service registry is a page of code: embed a
// discovery.Broadcast and Publish what the registry's watch returns. An
// empty or invalid set is refused and the last good one stays.
func Example_registryAdapter() {
	reg := &fakeRegistry{release: make(chan struct{}), versions: [][]discovery.Endpoint{
		{{Addr: "10.0.0.1:8080"}, {Addr: "10.0.0.2:8080"}},
		{}, // the registry briefly lists nothing
		{{Addr: "10.0.0.2:8080"}, {Addr: "10.0.0.3:8080", Zone: "b"}},
	}}
	events := make(chan string, 8)
	users := newRegistryResolver(reg, "users", func(err error) { events <- fmt.Sprint("kept the last set: ", err) })
	defer users.Close()
	cancel := users.Subscribe(func(eps []discovery.Endpoint) { events <- fmt.Sprint(eps) })
	defer cancel()

	fmt.Println(<-events)
	close(reg.release) // the registry changes twice
	fmt.Println(<-events)
	fmt.Println(<-events)
	// Output:
	// [10.0.0.1:8080 10.0.0.2:8080]
	// kept the last set: discovery: no endpoints
	// [10.0.0.2:8080 10.0.0.3:8080]
}
