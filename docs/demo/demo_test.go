package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The demo runs end to end on a short schedule, prints its table, and its
// numbers say what the README claims: the naive retry multiplies the load
// in the outage, resilient's budget and breaker shed it, and retries
// recover the flaky phase.
func TestDemoShortRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out strings.Builder
	cfg := config{phase: 500 * time.Millisecond, rate: 200, timeout: time.Second, seed: 1}
	results, err := run(context.Background(), cfg, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, name := range append(phaseNames, "total") {
		if !strings.Contains(out.String(), name) {
			t.Fatalf("table has no %q row", name)
		}
	}
	const outage, flaky, total = 2, 1, 5
	plain, naive, res := results["plain"], results["naive retry"], results["resilient"]
	if len(plain) != total+1 || len(naive) != total+1 || len(res) != total+1 {
		t.Fatalf("results: %d %d %d rows, want %d each", len(plain), len(naive), len(res), total+1)
	}
	if plain[total].calls == 0 || plain[total].calls != res[total].calls {
		t.Fatalf("plain made %d calls, resilient %d: the traffic must be the same", plain[total].calls, res[total].calls)
	}
	// In the outage the naive retry multiplies the load; resilient's
	// budget and breaker shed it below 1x.
	if naiveLoad, resLoad := load(naive[outage]), load(res[outage]); naiveLoad < 1.8 || resLoad > 0.9 {
		t.Errorf("outage load: naive %.2fx (want >= 1.8), resilient %.2fx (want <= 0.9)", naiveLoad, resLoad)
	}
	if okRate(res[flaky]) <= okRate(plain[flaky]) {
		t.Errorf("flaky phase: resilient %.3f ok, plain %.3f: retries did not help", okRate(res[flaky]), okRate(plain[flaky]))
	}
}

func load(s summary) float64   { return float64(s.backend) / float64(s.calls) }
func okRate(s summary) float64 { return float64(s.ok) / float64(s.calls) }
