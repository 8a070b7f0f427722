package balancer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
)

func TestRoundRobinHonoursWeightsSmoothly(t *testing.T) {
	b := newBalancer(t, balancer.Config{Policy: balancer.RoundRobin}, eps(3, 1, 2, 1))
	s := newSim(b)
	prev, run := "", 0
	for range 400 {
		addr := s.call(t)
		if addr == prev {
			run++
		} else {
			prev, run = addr, 1
		}
		if run > 2 {
			t.Fatalf("%s %d times in a row: not smooth", addr, run)
		}
	}
	if s.counts["a:1"] != 100 || s.counts["b:1"] != 200 || s.counts["c:1"] != 100 {
		t.Fatalf("counts %v, want 100/200/100", s.counts)
	}
}

func TestLeastOutstandingAvoidsTheBusyOne(t *testing.T) {
	b := newBalancer(t, balancer.Config{Policy: balancer.LeastOutstanding}, eps(2))
	now := time.Now()
	// Load a:1 with 10 outstanding picks (taken while b:1 is busier).
	var held []balancer.Pick
	for len(held) < 10 {
		p, err := b.Pick(now, nil)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, p)
	}
	busy := map[string]int{}
	for _, p := range held {
		busy[p.Addr()]++
	}
	if busy["a:1"] != 5 || busy["b:1"] != 5 {
		t.Fatalf("two endpoints shared 10 outstanding picks as %v, want 5/5", busy)
	}
	// Release b's: every new pick goes to b until it is as busy as a.
	for _, p := range held {
		if p.Addr() == "b:1" {
			p.Done(now, balancer.Success)
		}
	}
	for range 5 {
		p, _ := b.Pick(now, nil)
		if p.Addr() != "b:1" {
			t.Fatalf("picked %s with 5 outstanding over b:1", p.Addr())
		}
	}
}

func TestPeakEWMAGivesASlowReplicaASmallShare(t *testing.T) {
	b := newBalancer(t, balancer.Config{}, eps(3))
	s := newSim(b)
	s.latency["a:1"] = 10 * time.Millisecond // 10× slower than b and c
	for range 3000 {
		s.call(t)
	}
	share := float64(s.counts["a:1"]) / 3000
	t.Logf("slow replica's share: %.2f%% (%v)", 100*share, s.counts)
	if share > 0.05 {
		t.Fatalf("slow replica got %.1f%% of the calls, want < 5%%", 100*share)
	}
	if s.counts["b:1"] < 1000 || s.counts["c:1"] < 1000 {
		t.Fatalf("fast replicas unevenly used: %v", s.counts)
	}
}

func TestPickAvoidsTriedEndpoints(t *testing.T) {
	for _, policy := range []balancer.Policy{balancer.PeakEWMA, balancer.LeastOutstanding, balancer.RoundRobin} {
		b := newBalancer(t, balancer.Config{Policy: policy}, eps(3))
		now := time.Now()
		for range 50 {
			var tried balancer.Tried
			first, _ := b.Pick(now, &tried)
			tried.Add(first)
			second, _ := b.Pick(now, &tried)
			tried.Add(second)
			third, _ := b.Pick(now, &tried)
			if first.Addr() == second.Addr() || third.Addr() == first.Addr() || third.Addr() == second.Addr() {
				t.Fatalf("%v: picks %s, %s, %s repeat an endpoint", policy, first.Addr(), second.Addr(), third.Addr())
			}
			tried.Add(third)
			// Everything tried: the pick falls back to any endpoint.
			if p, err := b.Pick(now, &tried); err != nil || !p.Valid() {
				t.Fatalf("%v: pick with every endpoint tried: %v", policy, err)
			} else {
				p.Done(now, balancer.Ignored)
			}
			for _, p := range []balancer.Pick{first, second, third} {
				p.Done(now, balancer.Success)
			}
		}
	}
}

func TestNoEndpointsAndConfigErrors(t *testing.T) {
	b, err := balancer.New(balancer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Pick(time.Now(), nil); !errors.Is(err, balancer.ErrNoEndpoints) {
		t.Fatalf("pick without a set: %v", err)
	}
	if err := b.Update(nil); err == nil {
		t.Fatal("empty set accepted")
	}
	for name, cfg := range map[string]balancer.Config{
		"policy":      {Policy: 9},
		"decay":       {Decay: -1},
		"panic":       {PanicThreshold: 1.5},
		"consecutive": {Outlier: balancer.OutlierConfig{ConsecutiveFailures: -2}},
		"ratio":       {Outlier: balancer.OutlierConfig{FailureRatio: 2}},
		"percent":     {Outlier: balancer.OutlierConfig{MaxEjectionPercent: 101}},
		"max < base":  {Outlier: balancer.OutlierConfig{BaseEjection: time.Minute, MaxEjection: time.Second}},
	} {
		if _, err := balancer.New(cfg); !errors.Is(err, balancer.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}
