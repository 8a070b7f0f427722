package balancer_test

import (
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
)

// Pick skips checking each endpoint while the balancer counts none
// unavailable: that count must follow an unhealthy or ejected endpoint
// through set changes that keep it, or a pick would return it. (An
// endpoint removed and added back starts afresh.)
func TestUnavailableEndpointsStayOutAcrossUpdates(t *testing.T) {
	for _, policy := range []balancer.Policy{balancer.PeakEWMA, balancer.LeastOutstanding} {
		var log hookLog
		b := newBalancer(t, balancer.Config{
			Policy:  policy,
			Hooks:   log.hooks(),
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: 1, BaseEjection: time.Hour, FailureRatio: -1},
		}, eps(6))
		now := time.Now()
		b.SetHealthy("a:1", false)
		// Eject b:1 with one failure.
		for len(log.ejected) == 0 {
			p, err := b.Pick(now, nil)
			if err != nil {
				t.Fatal(err)
			}
			o := balancer.Success
			if p.Addr() == "b:1" {
				o = balancer.Failure
			}
			p.Done(now, o)
		}
		if log.ejected[0].Addr != "b:1" {
			t.Fatalf("%v: ejected %s, want b:1", policy, log.ejected[0].Addr)
		}
		without := func(drop ...string) []discovery.Endpoint {
			var out []discovery.Endpoint
			for _, e := range eps(6) {
				keep := true
				for _, d := range drop {
					keep = keep && e.Addr != d
				}
				if keep {
					out = append(out, e)
				}
			}
			return out
		}
		for _, set := range [][]discovery.Endpoint{eps(6), without("c:1"), eps(6), without("d:1", "e:1")} {
			if err := b.Update(set); err != nil {
				t.Fatal(err)
			}
			for range 300 {
				p, err := b.Pick(now, nil)
				if err != nil {
					t.Fatal(err)
				}
				if a := p.Addr(); a == "a:1" || a == "b:1" {
					t.Fatalf("%v: picked unavailable %s after Update to %d endpoints", policy, a, len(set))
				}
				p.Done(now, balancer.Success)
			}
		}
		// Once healthy and returned, both are picked again.
		b.SetHealthy("a:1", true)
		s := newSim(b)
		s.now = now.Add(2 * time.Hour)
		for range 600 {
			s.call(t)
		}
		if s.counts["a:1"] == 0 || s.counts["b:1"] == 0 {
			t.Fatalf("%v: recovered endpoints not picked: %v", policy, s.counts)
		}
	}
}

// Within one tick of the clock the latency averages are compared as they
// are, without decay: the faster endpoint wins until its outstanding
// requests make it the dearer.
func TestPeakEWMAComparesFreshAverages(t *testing.T) {
	b := newBalancer(t, balancer.Config{}, eps(2))
	t0 := time.Now()
	slow, _ := b.Pick(t0, nil)
	fast, _ := b.Pick(t0.Add(7*time.Millisecond), nil)
	if slow.Addr() == fast.Addr() {
		t.Fatal("a new endpoint with a request outstanding was picked over an idle one")
	}
	t1 := t0.Add(10 * time.Millisecond)
	slow.Done(t1, balancer.Success) // 10ms
	fast.Done(t1, balancer.Success) // 3ms
	// The fast one's cost with k outstanding is 3ms × (k+1), below the
	// slow one's 10ms for k < 3.
	for k := range 3 {
		p, _ := b.Pick(t1, nil)
		if p.Addr() != fast.Addr() {
			t.Fatalf("pick %d went to %s (10ms) over %s (3ms × %d)", k, p.Addr(), fast.Addr(), k+1)
		}
	}
	if p, _ := b.Pick(t1, nil); p.Addr() != slow.Addr() {
		t.Fatalf("pick 4 went to %s (3ms × 4), want %s (10ms)", p.Addr(), slow.Addr())
	}
}

// Across ticks the averages decay with the time since each was measured:
// an endpoint that was slow long ago is cheaper than one fast just now.
func TestPeakEWMADecaysAnIdleEndpoint(t *testing.T) {
	b := newBalancer(t, balancer.Config{Decay: 10 * time.Second}, eps(2))
	t0 := time.Now()
	slow, _ := b.Pick(t0, nil)
	fast, _ := b.Pick(t0, nil)
	slow.Done(t0.Add(10*time.Millisecond), balancer.Success)
	fast.Done(t0.Add(time.Millisecond), balancer.Success)
	// Three decay times later the fast one is measured again at 1ms; the
	// slow one's 10ms has decayed to 10ms × e⁻³ ≈ 0.5ms.
	t2 := t0.Add(30 * time.Second)
	p, _ := b.Pick(t2, nil)
	if p.Addr() != fast.Addr() {
		t.Fatalf("picked %s, want %s, 10× faster, both idle as long", p.Addr(), fast.Addr())
	}
	p.Done(t2.Add(time.Millisecond), balancer.Success)
	if p, _ := b.Pick(t2.Add(time.Millisecond), nil); p.Addr() != slow.Addr() {
		t.Fatalf("picked %s (1ms now), want %s (10ms, 30s ago)", p.Addr(), slow.Addr())
	}
	if st := b.EndpointsAt(t2.Add(time.Millisecond)); st[0].Latency+st[1].Latency > 2*time.Millisecond {
		t.Fatalf("latencies %v and %v, want 1ms and about 0.5ms", st[0].Latency, st[1].Latency)
	}
}
