package balancer_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// eps builds a set of endpoints "a:1", "b:1"... with the given weights
// (all 1 when none).
func eps(n int, weights ...int) []discovery.Endpoint {
	out := make([]discovery.Endpoint, n)
	for i := range out {
		out[i].Addr = string(rune('a'+i)) + ":1"
		if i < len(weights) {
			out[i].Weight = weights[i]
		}
	}
	return out
}

func newBalancer(t testing.TB, cfg balancer.Config, set []discovery.Endpoint) *balancer.Balancer {
	t.Helper()
	b, err := balancer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(set); err != nil {
		t.Fatal(err)
	}
	return b
}

// sim drives a balancer on a fake clock: each call is picked, takes the
// latency its endpoint is given, and reports the outcome fail says.
type sim struct {
	b       *balancer.Balancer
	now     time.Time
	latency map[string]time.Duration
	fail    map[string]bool
	counts  map[string]int
}

func newSim(b *balancer.Balancer) *sim {
	return &sim{b: b, now: time.Now(), latency: map[string]time.Duration{}, fail: map[string]bool{}, counts: map[string]int{}}
}

// call makes one sequential call and returns its endpoint.
func (s *sim) call(t testing.TB) string {
	t.Helper()
	p, err := s.b.Pick(s.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := p.Addr()
	s.counts[addr]++
	d := s.latency[addr]
	if d == 0 {
		d = time.Millisecond
	}
	s.now = s.now.Add(d)
	o := balancer.Success
	if s.fail[addr] {
		o = balancer.Failure
	}
	p.Done(s.now, o)
	return addr
}
