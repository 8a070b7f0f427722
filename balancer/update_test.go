package balancer_test

import (
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
)

func TestUpdateKeepsStateAndDrainsRemovedEndpoints(t *testing.T) {
	b := newBalancer(t, balancer.Config{Policy: balancer.RoundRobin}, eps(2))
	now := time.Now()
	pa, _ := b.Pick(now, nil)
	pb, _ := b.Pick(now, nil)
	if pa.Addr() == pb.Addr() {
		t.Fatal("round robin picked one endpoint twice")
	}
	// Keep pa's endpoint, drop pb's, add a new one.
	kept := pa.Endpoint()
	kept.Weight = 3
	if err := b.Update([]discovery.Endpoint{kept, {Addr: "z:1"}}); err != nil {
		t.Fatal(err)
	}
	st := b.EndpointsAt(now)
	if len(st) != 2 || st[0].Endpoint.Addr != pa.Addr() || st[0].InFlight != 1 || st[0].Endpoint.Weight != 3 {
		t.Fatalf("kept endpoint's stats %+v, want its pick still in flight and the new weight", st)
	}
	// The removed endpoint's pick completes normally; new picks never go
	// to it.
	pb.Done(now, balancer.Failure)
	pa.Done(now, balancer.Success)
	for range 100 {
		p, _ := b.Pick(now, nil)
		if p.Addr() == pb.Addr() {
			t.Fatalf("picked removed endpoint %s", p.Addr())
		}
		p.Done(now, balancer.Success)
	}
	if st := b.EndpointsAt(now); st[0].InFlight != 0 || st[1].InFlight != 0 || st[0].Successes == 0 {
		t.Fatalf("after draining: %+v", st)
	}
}

// Picks, outcomes and set swaps at once: every pick is of an endpoint
// that was in some set, and the in-flight counts come back to zero.
func TestConcurrentPicksAndUpdates(t *testing.T) {
	for _, policy := range []balancer.Policy{balancer.PeakEWMA, balancer.LeastOutstanding, balancer.RoundRobin} {
		b := newBalancer(t, balancer.Config{Policy: policy, Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, BaseEjection: time.Millisecond}}, eps(4))
		sets := [][]discovery.Endpoint{eps(4), eps(2), eps(6, 1, 2, 3), eps(1)}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 4 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					p, err := b.Pick(time.Now(), nil)
					if err != nil {
						t.Errorf("pick: %v", err)
						return
					}
					o := balancer.Success
					if (i+w)%7 == 0 {
						o = balancer.Failure
					}
					p.Done(time.Now(), o)
				}
			})
		}
		for i := range 200 {
			if err := b.Update(sets[i%len(sets)]); err != nil {
				t.Fatal(err)
			}
		}
		close(stop)
		wg.Wait()
		_ = b.Update(eps(6))
		for _, st := range b.Endpoints() {
			if st.InFlight != 0 {
				t.Fatalf("%v: %s has %d in flight after every pick was done", policy, st.Endpoint.Addr, st.InFlight)
			}
		}
	}
}
