package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/bench/fleetsim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The command writes the page and a plot per fleet size and trigger, with
// every section, every kind in every table, and resilient held against
// its targets.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	base := fleetsim.Config{Workers: 5, Warmup: 2 * time.Second, TriggerFor: 3 * time.Second, After: 5 * time.Second, Seed: 1}
	if err := generate(t, dir, []int{20, 40}, base); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "fleet-scale.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		"## resilient's defaults against the targets",
		"## Where resilient is behind",
		"## The fleet, the backend, the load",
		"## Capacity halves for 3 s",
		"## Latency ×10 for 3 s",
		"## Total outage (503 at once) for 3 s",
		"## Memory",
		"## How it runs",
		"| total outage (503 at once) | 40 |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, k := range fleetsim.Kinds() {
		name := k.Name
		if k.Ours {
			name = "**" + name + "**"
		}
		if n := strings.Count(doc, "| "+name+" | 20 |"); n != 3 {
			t.Errorf("%s has %d rows of 20 clients, want one per trigger", k.Name, n)
		}
	}
	for _, n := range []int{20, 40} {
		for _, trig := range fleetsim.Triggers() {
			name := plotName(n, trig)
			if !strings.Contains(doc, "("+name+")") {
				t.Errorf("the page does not show %s", name)
			}
			if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() < 10_000 {
				t.Errorf("plot %s: %v", name, err)
			}
		}
	}
}

func TestParseSizes(t *testing.T) {
	if ns, err := parseSizes("1000, 10000"); err != nil || len(ns) != 2 || ns[1] != 10000 {
		t.Errorf("parseSizes: %v, %v", ns, err)
	}
	for _, bad := range []string{"", "0", "1000,x", "-5"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) is no error", bad)
		}
	}
}
