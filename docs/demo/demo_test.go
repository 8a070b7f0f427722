package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The demo runs end to end on a short incident and prints its table, and
// its numbers say what the README claims. Real time on a loaded machine
// (with -race) is noisy, so only properties that hold by a wide margin are
// asserted: the naive retry multiplies the load in the outage and
// resilient's budget and breaker shed it; resilient leaves a throttling
// server alone; and it keeps latency down under overload.
func TestDemoShortRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	// The claims compare clients in real time: a machine starved for CPU
	// (the whole suite with -race beside two CPU hogs) now and then
	// delays a timer long enough to let a burst through (about 2 runs in
	// 37 there; 12 of 12 passed run alone under the same hogs, resilient
	// drawing 1-12 429s in the brownout against plain's 23). A second
	// run settles it: the claims fail only if both runs break them.
	var broken []string
	for attempt := 1; attempt <= 2; attempt++ {
		broken = shortRunClaims(t)
		if len(broken) == 0 {
			return
		}
		t.Logf("run %d broke: %s", attempt, strings.Join(broken, "; "))
	}
	for _, b := range broken {
		t.Error(b)
	}
}

// shortRunClaims runs the short incident, checks its table's shape (a
// failure there is the test's at once), and returns the claims the run
// broke.
func shortRunClaims(t *testing.T) []string {
	t.Helper()
	var out strings.Builder
	cfg := config{phase: 400 * time.Millisecond, load: 100, timeout: time.Second, seed: 1}
	start := time.Now()
	results, err := run(context.Background(), cfg, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ran in %v\n%s", time.Since(start).Round(time.Millisecond), out.String())

	for _, p := range append(phaseNames(), "total") {
		if !strings.Contains(out.String(), "\n"+p+" ") {
			t.Fatalf("the table has no %q row", p)
		}
	}
	plain, naive, res := results["plain"], results["naive retry"], results["resilient"]
	for name, r := range results {
		if len(r.phases) != len(phases)+1 {
			t.Fatalf("%s: %d summaries, want %d (one per phase and the total)", name, len(r.phases), len(phases)+1)
		}
		if calls, want := r.total().calls, plain.total().calls; calls == 0 || calls != want {
			t.Fatalf("%s made %d calls, plain %d: every client must get the same traffic", name, calls, want)
		}
	}

	var broken []string
	outage, brownout := index("outage"), index("brownout")
	if n, r := load(naive.phases[outage]), load(res.phases[outage]); n < 1.8 || r > 0.9 {
		broken = append(broken, fmt.Sprintf("outage load: naive retry %.2fx (want >= 1.8x), resilient %.2fx (want <= 0.9x)", n, r))
	}
	if r, p := res.phases[brownout].throttled, plain.phases[brownout].throttled; r >= p {
		broken = append(broken, fmt.Sprintf("brownout: resilient sent %d requests that got a 429, plain %d: it did not leave the server alone", r, p))
	}
	// Healthy: the defaults shed nothing (on a loaded machine even the
	// plain client misses some deadlines: compare with it).
	if r, p := res.phases[index("healthy")], plain.phases[index("healthy")]; r.ok+2 < p.ok {
		broken = append(broken, fmt.Sprintf("healthy: resilient ok %d of %d, plain %d: the defaults shed calls", r.ok, r.calls, p.ok))
	}
	return broken
}

func phaseNames() []string {
	var names []string
	for _, p := range phases {
		names = append(names, p.name)
	}
	return names
}

func index(name string) int {
	for i, p := range phases {
		if p.name == name {
			return i
		}
	}
	panic("no phase " + name)
}

func load(s summary) float64 { return float64(s.reached) / float64(s.calls) }

// The replicas' part runs end to end on a short run and prints its
// table; with wide margins only: while one replica is degraded, Peak
// EWMA with ejection sends it a much smaller share than the naive
// rotation (which sends it its third, whatever happens) and succeeds at
// least as often.
func TestDemoReplicasShortRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out strings.Builder
	cfg := config{phase: 500 * time.Millisecond, load: 200, timeout: time.Second, seed: 1}
	start := time.Now()
	results, err := runReplicas(context.Background(), cfg, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ran in %v\n%s", time.Since(start).Round(time.Millisecond), out.String())

	for _, p := range replicaPhases {
		if !strings.Contains(out.String(), "\n"+p.name+" ") {
			t.Errorf("the table has no %q row", p.name)
		}
	}
	rot, rr, ewma := results["no balancing"], results["round robin"], results["Peak EWMA"]
	for name, r := range map[string]replicaResult{"no balancing": rot, "round robin": rr, "Peak EWMA": ewma} {
		if len(r.phases) != len(replicaPhases) || len(r.shares) != len(replicaPhases) {
			t.Fatalf("%s: %d summaries and %d shares, want %d", name, len(r.phases), len(r.shares), len(replicaPhases))
		}
		if calls, want := r.phases[0].calls, rot.phases[0].calls; calls == 0 || calls != want {
			t.Errorf("%s made %d calls while healthy, no balancing %d: every client must get the same traffic", name, calls, want)
		}
		if ok := okRate(r.phases[0]); ok < 0.9 {
			t.Errorf("%s: %.0f%% success while healthy", name, 100*ok)
		}
	}
	deg := 1 // the degraded phase
	if !replicaPhases[deg].degraded {
		t.Fatal("phase 1 is not the degraded one")
	}
	if s := rot.shares[deg]; s < 0.25 || s > 0.42 {
		t.Errorf("no balancing: replica 3's share while degraded %.1f%%, want about a third", 100*s)
	}
	// Idle, Peak EWMA sends the degraded replica 1–5 % to the rotation's
	// third; with -race and two CPU hogs on 2 cores, this 2-second phase
	// has been seen at 17 % and 27 % (its latency reads are noise then).
	// 85 % of the rotation's share still tells a balancer that steers
	// away from one that does not (which sends it its third, or more).
	if e, r := ewma.shares[deg], rot.shares[deg]; e > 0.85*r {
		t.Errorf("replica 3's share while degraded: Peak EWMA %.1f%%, no balancing %.1f%%: want under 85 %% of it", 100*e, 100*r)
	}
	if e, r := okRate(ewma.phases[deg]), okRate(rot.phases[deg]); e < r {
		t.Errorf("success while degraded: Peak EWMA %.1f%%, no balancing %.1f%%", 100*e, 100*r)
	}
}
