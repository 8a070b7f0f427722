// Command demo sends the same traffic through a plain http.Client, a naive
// retrying client and a resilient one, against three identical flaky
// backends on loopback, and prints how each fared.
//
//	go run ./docs/demo
//	go run ./docs/demo -phase 5s -rate 400
//
// Each backend runs the same fault schedule (internal/chaos, same seed):
// healthy, flaky (resets and 503s), outage (every request 503), throttled
// (429 with Retry-After) and recovered. The traffic is open-loop: every
// client starts the same calls at the same instants, whatever happened to
// earlier calls, as real users would.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	phase := flag.Duration("phase", 2*time.Second, "unit length of the fault phases (the outage lasts 2.5 units)")
	rate := flag.Int("rate", 200, "calls per second sent through each client")
	timeout := flag.Duration("timeout", 2*time.Second, "per-call timeout (the caller's deadline)")
	seed := flag.Uint64("seed", 1, "fault schedule seed")
	flag.Parse()
	if *phase <= 0 || *rate <= 0 || *timeout <= 0 {
		fmt.Fprintln(os.Stderr, "demo: -phase, -rate and -timeout must be positive")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := config{phase: *phase, rate: *rate, timeout: *timeout, seed: *seed}
	if _, err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

type config struct {
	phase   time.Duration
	rate    int
	timeout time.Duration
	seed    uint64
}

// run drives the traffic, prints the live progress line to progress and
// the comparison table to out, and returns each client's summary per phase
// (the last entry is the total).
func run(ctx context.Context, cfg config, out, progress io.Writer) (map[string][]summary, error) {
	contenders, err := newContenders(cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, c := range contenders {
			c.close()
		}
	}()

	_, end := phaseStarts(cfg.phase)
	fmt.Fprintf(out, "Sending %d calls/s through each client for %v; per-call timeout %v.\nPhases:", cfg.rate, end, cfg.timeout)
	for i, name := range phaseNames {
		fmt.Fprintf(out, " %s %v", name, time.Duration(phaseLengths[i]*float64(cfg.phase)))
	}
	window, brk := breakerTimes(cfg.phase)
	fmt.Fprintf(out, "\nresilient: defaults, with the breaker's window and break scaled to this compressed timeline (%v and %v; defaults 10s and 5s).\n\n", window, brk)
	drive(ctx, cfg, contenders, progress)
	fmt.Fprintln(out)
	return report(out, contenders), nil
}
