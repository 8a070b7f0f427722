package balancer_test

import (
	"sync"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
)

// hookLog records ejections and returns.
type hookLog struct {
	mu       sync.Mutex
	ejected  []balancer.Ejection
	returned []string
}

func (h *hookLog) hooks() balancer.Hooks {
	return balancer.Hooks{
		OnEject: func(e balancer.Ejection) {
			h.mu.Lock()
			h.ejected = append(h.ejected, e)
			h.mu.Unlock()
		},
		OnReturn: func(addr string) {
			h.mu.Lock()
			h.returned = append(h.returned, addr)
			h.mu.Unlock()
		},
	}
}

func TestConsecutiveFailuresEjectForGrowingJitteredTimes(t *testing.T) {
	var log hookLog
	base := 10 * time.Second
	b := newBalancer(t, balancer.Config{
		Hooks:   log.hooks(),
		Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, BaseEjection: base, FailureRatio: -1},
	}, eps(3))
	s := newSim(b)
	s.fail["a:1"] = true
	for range 200 {
		s.call(t)
	}
	if len(log.ejected) != 1 {
		t.Fatalf("ejections %+v, want 1", log.ejected)
	}
	e := log.ejected[0]
	if e.Addr != "a:1" || e.Reason != balancer.ReasonConsecutive || e.Times != 1 || e.Duration < base || e.Duration > base+base/10 {
		t.Fatalf("ejection %+v, want a:1 for [10s, 11s]", e)
	}
	if s.counts["a:1"] != 3 {
		t.Fatalf("a:1 got %d calls, want the 3 that ejected it", s.counts["a:1"])
	}
	if st := b.EndpointsAt(s.now); !st[0].Ejected() || st[0].Failures != 3 {
		t.Fatalf("stats %+v", st[0])
	}

	// Back on time: the first pick after the end sees it again, and a
	// second ejection lasts twice as long.
	s.now = e.Until
	for range 200 {
		s.call(t)
	}
	if len(log.returned) != 1 || log.returned[0] != "a:1" {
		t.Fatalf("returns %v, want a:1", log.returned)
	}
	if len(log.ejected) != 2 || log.ejected[1].Times != 2 || log.ejected[1].Duration < 2*base || log.ejected[1].Duration > 2*base+base/5 {
		t.Fatalf("second ejection %+v, want [20s, 22s]", log.ejected)
	}
}

func TestFailureRatioEjectsOverAnInterval(t *testing.T) {
	var log hookLog
	b := newBalancer(t, balancer.Config{
		Policy: balancer.RoundRobin,
		Hooks:  log.hooks(),
		Outlier: balancer.OutlierConfig{
			ConsecutiveFailures: -1, FailureRatio: 0.3, MinRequests: 10, Interval: time.Second,
		},
	}, eps(2))
	now := time.Now()
	// a fails every other call (50 %), b never: only a is ejected once
	// the interval is over.
	aCalls := 0
	for range 60 {
		p, _ := b.Pick(now, nil)
		o := balancer.Success
		if p.Addr() == "a:1" {
			if aCalls%2 == 0 {
				o = balancer.Failure
			}
			aCalls++
		}
		now = now.Add(50 * time.Millisecond)
		p.Done(now, o)
	}
	if len(log.ejected) != 1 || log.ejected[0].Addr != "a:1" || log.ejected[0].Reason != balancer.ReasonFailureRatio {
		t.Fatalf("ejections %+v, want a:1 by failure ratio", log.ejected)
	}
}

func TestMaxEjectionPercentCapsEjections(t *testing.T) {
	var log hookLog
	b := newBalancer(t, balancer.Config{
		Hooks:   log.hooks(),
		Outlier: balancer.OutlierConfig{ConsecutiveFailures: 2, MaxEjectionPercent: 50},
	}, eps(4))
	s := newSim(b)
	s.fail["a:1"], s.fail["b:1"], s.fail["c:1"] = true, true, true
	for range 500 {
		s.call(t)
	}
	if len(log.ejected) != 2 {
		t.Fatalf("%d ejections, want 2 of 4 (50 %%)", len(log.ejected))
	}
	// The two ejected got only the calls that ejected them; the third bad
	// one stays in, beside the good one.
	for _, e := range log.ejected {
		if s.counts[e.Addr] != 2 {
			t.Fatalf("ejected %s got %d calls, want 2: %v", e.Addr, s.counts[e.Addr], s.counts)
		}
	}
	if s.counts["d:1"] < 200 {
		t.Fatalf("the good endpoint got %d of 500 calls: %v", s.counts["d:1"], s.counts)
	}
}

func TestPanicThresholdUsesEveryoneWhenTooFewAreAvailable(t *testing.T) {
	b := newBalancer(t, balancer.Config{}, eps(4))
	for _, addr := range []string{"a:1", "b:1", "c:1"} {
		if !b.SetHealthy(addr, false) {
			t.Fatalf("SetHealthy(%s) found no endpoint", addr)
		}
	}
	// 1 of 4 available (25 %) is below the 50 % threshold: everyone.
	s := newSim(b)
	for range 400 {
		s.call(t)
	}
	for _, addr := range []string{"a:1", "b:1", "c:1", "d:1"} {
		if s.counts[addr] < 50 {
			t.Fatalf("in panic %s got %d of 400 calls: %v", addr, s.counts[addr], s.counts)
		}
	}
	// 2 of 4 available is not below it: only those two.
	b.SetHealthy("c:1", true)
	s = newSim(b)
	for range 400 {
		s.call(t)
	}
	if s.counts["a:1"]+s.counts["b:1"] != 0 {
		t.Fatalf("unhealthy endpoints picked outside panic: %v", s.counts)
	}
}

func TestDisablePanicFailsWhenNoneIsAvailable(t *testing.T) {
	b := newBalancer(t, balancer.Config{DisablePanic: true}, eps(2))
	b.SetHealthy("a:1", false)
	for range 50 {
		p, err := b.Pick(time.Now(), nil)
		if err != nil || p.Addr() != "b:1" {
			t.Fatalf("pick %v, %v; want b:1", p.Valid(), err)
		}
		p.Done(time.Now(), balancer.Success)
	}
	b.SetHealthy("b:1", false)
	if _, err := b.Pick(time.Now(), nil); err != balancer.ErrNoAvailable {
		t.Fatalf("pick with none available: %v, want ErrNoAvailable", err)
	}
}
