// Command fleetsim runs fleets of clients — a thousand of each library,
// each client its own stack — against a backend that stumbles, in virtual
// time, and writes what happened as docs/fleet-scale.md, with its plots
// under docs/fleet-scale/:
//
//	cd bench && go run ./cmd/fleetsim
//
// It runs every client kind of package bench/fleetsim through every
// trigger (capacity halves, latency ×10, a total outage), for each fleet
// size of -n (1,000 and 10,000 clients by default; -n 1000 for the small
// fleet alone), each run against a fresh backend with the same seed.
//
// The runs take place in testing/synctest bubbles, which Go lends only to
// tests: the command is a test binary of one test, through testing.Main
// (kept by the testing package for programs that run tests themselves),
// and prints the testing package's PASS or FAIL at the end.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/bench/fleetsim"
)

func main() {
	testing.Init()
	out := flag.String("out", "../docs", "directory that receives fleet-scale.md and fleet-scale/*.png")
	sizes := flag.String("n", "1000,10000", "comma-separated fleet sizes (clients per fleet)")
	seed := flag.Uint64("seed", 1, "seed of every draw: arrivals, deadlines, service times, jitter")
	flag.Parse()
	ns, err := parseSizes(*sizes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetsim:", err)
		os.Exit(2)
	}
	testing.Main(matchAll, []testing.InternalTest{{
		Name: "FleetSim",
		F: func(t *testing.T) {
			if err := generate(t, *out, ns, fleetsim.Config{Seed: *seed}); err != nil {
				t.Fatal(err)
			}
		},
	}}, nil, nil)
}

func matchAll(string, string) (bool, error) { return true, nil }

func parseSizes(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n: %q is not a fleet size", f)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// fleet is every run of one fleet size.
type fleet struct {
	n       int
	cfg     fleetsim.Config // defaults filled in
	runs    map[fleetsim.Trigger][]*fleetsim.Result
	elapsed time.Duration
	peakRSS uint64 // the process's, in bytes, once this size had run
}

// report is everything one command measured.
type report struct {
	machine string
	date    time.Time
	seed    uint64
	elapsed time.Duration
	kinds   []fleetsim.Kind
	fleets  []*fleet
}

// generate runs fleets of each size in ns, configured as base otherwise,
// and writes the page and its plots under out.
func generate(t *testing.T, out string, ns []int, base fleetsim.Config) error {
	start := time.Now()
	rep := &report{machine: describeMachine(), date: start.UTC(), seed: base.Seed, kinds: fleetsim.Kinds()}
	for _, n := range ns {
		cfg := base
		cfg.Clients = n
		f, err := runFleet(t, cfg, rep.kinds)
		if err != nil {
			return err
		}
		rep.fleets = append(rep.fleets, f)
	}
	rep.elapsed = time.Since(start)

	imgDir := filepath.Join(out, "fleet-scale")
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		return err
	}
	if err := rep.plot(imgDir); err != nil {
		return err
	}
	var doc bytes.Buffer
	rep.write(&doc)
	path := filepath.Join(out, "fleet-scale.md")
	if err := os.WriteFile(path, doc.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s and its plots in %v\n", path, rep.elapsed.Round(time.Second))
	return nil
}

// runFleet runs every kind through every trigger with the fleet of cfg.
func runFleet(t *testing.T, cfg fleetsim.Config, kinds []fleetsim.Kind) (*fleet, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	n := cfg.Clients
	f := &fleet{n: n, cfg: cfg, runs: map[fleetsim.Trigger][]*fleetsim.Result{}}
	start := time.Now()
	for _, trig := range fleetsim.Triggers() {
		for _, kind := range kinds {
			t0 := time.Now()
			res, err := fleetsim.Simulate(t, cfg, kind, trig)
			if err != nil {
				return nil, err
			}
			s := res.Summary
			fmt.Fprintf(os.Stderr, "%6d clients, %-9s %-18s %6d calls, %6d requests, recovery %-5v (%v)\n",
				n, trig.Name(), kind.Name, s.Calls, s.Sent, s.Recovery, time.Since(t0).Round(time.Millisecond))
			f.runs[trig] = append(f.runs[trig], res)
		}
	}
	f.elapsed = time.Since(start)
	f.peakRSS = peakRSS()
	return f, nil
}

// peakRSS reads the process's peak resident set (VmHWM) from
// /proc/self/status; 0 where there is none.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// describeMachine names the CPU (from /proc/cpuinfo where there is one),
// the core count and the OS.
func describeMachine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	if model == "" {
		model = "unknown CPU"
	}
	return fmt.Sprintf("%s, %d CPUs (GOMAXPROCS %d), %s/%s", model, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
}
