package main

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/bench"
	"github.com/resilient-go/resilient/bench/scenario"
	"github.com/resilient-go/resilient/internal/chaos"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The report is written from a tiny run (an outage scenario in under a
// second, one micro comparison at one iteration per case): its tables,
// its reading and its plots, so the command cannot rot unseen.
func TestReportFromTinyRun(t *testing.T) {
	if err := flag.Set("test.benchtime", "1x"); err != nil {
		t.Fatal(err)
	}
	sc := &scenario.Scenario{
		Name:  "outage",
		Title: "Total outage, then recovery",
		Phases: []scenario.Phase{
			{Name: "healthy", Duration: 200 * time.Millisecond, Rate: 100},
			{Name: "outage", Duration: 300 * time.Millisecond, Rate: 100,
				Fault: chaos.Phase{Status: 1, StatusCode: http.StatusServiceUnavailable}},
			{Name: "recovered", Duration: 400 * time.Millisecond, Rate: 100},
		},
		Backend:  scenario.Backend{ServiceMin: time.Millisecond, ServiceMax: 2 * time.Millisecond},
		Deadline: 300 * time.Millisecond, Healed: 2,
		Clients:    []scenario.Client{scenario.Plain(), scenario.RetryableHTTP(), scenario.Failsafe(), scenario.Resilient()},
		Concurrent: true, Seed: 1,
	}
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := &report{
		machine: describeMachine(), date: time.Now(), procs: []int{1}, seed: 1, count: 1,
		micro:     []bench.Measurement{bench.Measure(bench.RetryComparison(), []int{1}, 1)},
		scenarios: []*scenario.Result{res},
	}
	dir := t.TempDir()
	if err := rep.plot(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"outage.png", "attempts.png"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Size() < 1000 {
			t.Errorf("plot %s: %v, %v", name, fi, err)
		}
	}
	var doc bytes.Buffer
	rep.write(&doc)
	for _, want := range []string{
		"## Where resilient is behind",
		"| client | attempts sent/call (outage) |",
		"| **resilient** |",
		"![attempts per call](performance/attempts.png)",
		"### retrying RoundTripper, success path",
		"| go-retryablehttp |",
		"## What every run checks",
	} {
		if !strings.Contains(doc.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// The replicas' section is written from a tiny run of its scenario: its
// table with the bad replica's share, the per-replica counts and its
// four-panel plot.
func TestReportReplicas(t *testing.T) {
	sc := &scenario.Scenario{
		Name:  "replicas",
		Title: "Replicas: one of three degrades",
		Phases: []scenario.Phase{
			{Name: "healthy", Duration: 200 * time.Millisecond, Rate: 150},
			{Name: "degraded", Duration: 400 * time.Millisecond, Rate: 150, Fault: chaos.Phase{Status: 0.9}, SlowEvery: 1},
			{Name: "recovered", Duration: 200 * time.Millisecond, Rate: 150},
		},
		Backend:  scenario.Backend{ServiceMin: time.Millisecond, ServiceMax: 2 * time.Millisecond, SlowFactor: 10},
		Deadline: 500 * time.Millisecond, Healed: 2,
		Replicas: 3, Faulty: 2,
		Clients:    scenario.Replicas(),
		Concurrent: true, Seed: 1,
	}
	res, err := scenario.Run(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := &report{machine: describeMachine(), date: time.Now(), procs: []int{1}, seed: 1, count: 1, scenarios: []*scenario.Result{res}}
	dir := t.TempDir()
	if err := rep.plot(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "replicas.png")); err != nil || fi.Size() < 1000 {
		t.Errorf("plot replicas.png: %v, %v", fi, err)
	}
	var doc bytes.Buffer
	rep.write(&doc)
	for _, want := range []string{
		"### Replicas: one of three degrades",
		"| client | success (degraded) | p50 (degraded) | p99 (degraded) | replica 3's share (degraded) |",
		"| **resilient + Peak EWMA** |",
		"| requests per replica |",
		"replica 3: 90 % of requests answered 503; every request served takes 10× its service time; the others healthy",
		"![Replicas: one of three degrades: success rate, p99 latency, attempts per call and replica 3's share over time](performance/replicas.png)",
	} {
		if !strings.Contains(doc.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestDur(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Millisecond, "1.50 s"},
		{25 * time.Millisecond, "25 ms"},
		{2500 * time.Microsecond, "2.5 ms"},
		{30 * time.Microsecond, "0.03 ms"},
	} {
		if got := dur(float64(c.d)); got != c.want {
			t.Errorf("dur(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
