package main

import (
	"context"
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
			t.Errorf("the table has no %q row", p)
		}
	}
	plain, naive, res := results["plain"], results["naive retry"], results["resilient"]
	for name, r := range results {
		if len(r.phases) != len(phases)+1 {
			t.Fatalf("%s: %d summaries, want %d (one per phase and the total)", name, len(r.phases), len(phases)+1)
		}
		if calls, want := r.total().calls, plain.total().calls; calls == 0 || calls != want {
			t.Errorf("%s made %d calls, plain %d: every client must get the same traffic", name, calls, want)
		}
	}

	outage, brownout, overload := index("outage"), index("brownout"), index("overload")
	if n, r := load(naive.phases[outage]), load(res.phases[outage]); n < 1.8 || r > 0.9 {
		t.Errorf("outage load: naive retry %.2fx (want >= 1.8x), resilient %.2fx (want <= 0.9x)", n, r)
	}
	if r, p := res.phases[brownout].throttled, plain.phases[brownout].throttled; r >= p {
		t.Errorf("brownout: resilient sent %d requests that got a 429, plain %d: it did not leave the server alone", r, p)
	}
	if r, p := res.phases[overload].p99, plain.phases[overload].p99; r >= p/2 {
		t.Errorf("overload p99: resilient %v, plain %v: want resilient below half", r, p)
	}
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
