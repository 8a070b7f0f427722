// Command report measures resilient against its peers in one run and
// writes the result as docs/performance.md, with its plots under
// docs/performance/:
//
//	cd bench && go run ./cmd/report
//
// It runs the micro comparisons of package bench (ns/op and allocs/op of
// the same work through each library, sequential and under RunParallel)
// and the incident scenarios of package bench/scenario (a real loopback
// server with injected faults, the same open-loop traffic through each
// client). A scenario that breaks one of its invariants stops the report
// with an error, and nothing is written: a broken run has no figures.
//
// It takes about three minutes on a 2-core machine.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/bench"
	"github.com/resilient-go/resilient/bench/scenario"
)

func main() {
	testing.Init()
	out := flag.String("out", "../docs", "directory that receives performance.md and performance/*.png")
	benchtime := flag.Duration("benchtime", 250*time.Millisecond, "time per micro benchmark run")
	count := flag.Int("count", 3, "runs of each micro benchmark; the fastest is kept")
	cpus := flag.String("cpu", defaultProcs(), "comma-separated GOMAXPROCS values for the RunParallel benchmarks")
	seed := flag.Uint64("seed", 1, "seed of the fault injectors and service times")
	micro := flag.Bool("micro", true, "run the micro benchmarks")
	only := flag.String("scenarios", "", "comma-separated scenario names to run (default: all)")
	flag.Parse()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		fatal(err)
	}
	procs, err := bench.ParseProcs(*cpus)
	if err != nil {
		fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	start := time.Now()
	rep := &report{machine: describeMachine(), date: start.UTC(), procs: procs, seed: *seed, count: *count}
	if *micro {
		for _, cmp := range bench.All() {
			fmt.Fprintf(os.Stderr, "micro: %s\n", cmp.Name)
			for _, c := range cmp.Cases {
				if err := c.Check(); err != nil {
					fatal(fmt.Errorf("%s / %s does not work: %w", cmp.Name, c.Name, err))
				}
			}
			rep.micro = append(rep.micro, bench.Measure(cmp, procs, *count))
		}
	}
	for _, sc := range scenario.Catalog(*seed) {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), sc.Name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "scenario: %s\n", sc.Name)
		res, err := scenario.Run(ctx, sc, os.Stderr)
		if err != nil {
			fatal(err)
		}
		if ctx.Err() != nil {
			fatal(ctx.Err())
		}
		rep.scenarios = append(rep.scenarios, res)
	}
	rep.elapsed = time.Since(start)

	imgDir := filepath.Join(*out, "performance")
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		fatal(err)
	}
	if err := rep.plot(imgDir); err != nil {
		fatal(err)
	}
	var doc bytes.Buffer
	rep.write(&doc)
	path := filepath.Join(*out, "performance.md")
	if err := os.WriteFile(path, doc.Bytes(), 0o644); err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s and its plots in %v\n", path, rep.elapsed.Round(time.Second))
}

// defaultProcs is "1" and the machine's GOMAXPROCS, when that is more.
func defaultProcs() string {
	if n := runtime.GOMAXPROCS(0); n > 1 {
		return fmt.Sprintf("1,%d", n)
	}
	return "1"
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// describeMachine names the CPU (from /proc/cpuinfo where there is one),
// the core count and the OS.
func describeMachine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
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

func flagLookup(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}
