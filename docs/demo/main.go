// Command demo sends the same traffic through a plain http.Client, a naive
// retrying client and a resilient one, each against its own loopback
// backend of bounded capacity, through an incident, and prints how each
// fared. Then, in a second part, it spreads the same traffic over three
// replicas of one service, one of which degrades, with resilient without
// balancing, with round robin and with Peak EWMA and ejection.
//
//	go run ./docs/demo
//	go run ./docs/demo -phase 4s -load 300
//	go run ./docs/demo -replicas=false
//
// The incident (phases.go): healthy; an outage (every request 503); a
// brownout (a request quota below the offered rate, the rest answered 429
// with Retry-After); an overload (2.5× the backend's capacity); and
// recovery. The replicas' run (replicas_backend.go): healthy; one replica
// answers 90 % of its requests 503 and serves the rest 10× slower;
// recovered. The traffic is open-loop: every client starts the same calls
// at the same instants, whatever happened to earlier calls, as real users
// would.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"time"
)

func main() {
	phase := flag.Duration("phase", 2*time.Second, "unit length of the phases (the incident lasts 9.5 units, the replicas' run 3.5)")
	load := flag.Float64("load", 200, "calls per second through each client while healthy: half the backend's capacity (the overload sends 5×)")
	timeout := flag.Duration("timeout", 2*time.Second, "per-call timeout (the caller's deadline)")
	seed := flag.Uint64("seed", 1, "seed of the backends' service times")
	replicas := flag.Bool("replicas", true, "run the second part: three replicas, one degrades")
	flag.Parse()
	if *phase <= 0 || *load <= 0 || *timeout <= 0 {
		fmt.Fprintln(os.Stderr, "demo: -phase, -load and -timeout must be positive")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := config{phase: *phase, load: *load, timeout: *timeout, seed: *seed}
	progress := liveProgress(os.Stderr)
	if _, err := run(ctx, cfg, os.Stdout, progress); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	if *replicas && ctx.Err() == nil {
		if _, err := runReplicas(ctx, cfg, os.Stdout, progress); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(1)
		}
	}
}

// liveProgress returns f when it is a terminal, where the progress line
// rewrites itself in place ('\r'); piped into a file or a pager, those
// rewrites would be one garbled line, so the progress is left out and
// only the tables are printed.
func liveProgress(f *os.File) io.Writer {
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return f
	}
	return io.Discard
}

type config struct {
	phase   time.Duration // the unit of the phases' lengths
	load    float64       // calls/s while healthy: half the capacity
	timeout time.Duration // the caller's deadline per call
	seed    uint64
}

// workers is the backend's concurrency: enough for the healthy load to use
// half of it.
func (c config) workers() int {
	return max(1, int(math.Round(2*c.load*serviceTime.Seconds())))
}

// capacity is the backend's throughput in requests per second.
func (c config) capacity() float64 {
	return float64(c.workers()) / serviceTime.Seconds()
}

// run drives the traffic, prints the live progress line to progress and
// the comparison to out, and returns each client's results.
func run(ctx context.Context, cfg config, out, progress io.Writer) (map[string]result, error) {
	contenders, err := newContenders(cfg)
	if err != nil {
		return nil, err
	}
	defer closeAll(contenders)
	printHeader(out, cfg)
	drive(ctx, cfg, contenders, progress)
	return report(out, cfg, contenders), nil
}
