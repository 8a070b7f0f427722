package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// drive sends the open-loop traffic through every contender until the
// incident ends or ctx is cancelled, printing a live progress line, and
// waits for every call in flight.
func drive(ctx context.Context, cfg config, contenders []*contender, progress io.Writer) {
	for _, c := range contenders {
		c.backend.injector.Restart() // align every schedule with the traffic
	}
	start := time.Now()
	_, end := phaseStarts(cfg.phase)
	// A fine tick, and the calls due by now on each: the rate holds when
	// a tick comes late (callsDue).
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	progressTick := time.NewTicker(250 * time.Millisecond)
	defer progressTick.Stop()

	var inflight sync.WaitGroup
	defer inflight.Wait()
	sent := 0
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(progress)
			return
		case <-progressTick.C:
			printProgress(progress, cfg, time.Since(start), contenders)
		case <-tick.C:
			elapsed := time.Since(start)
			if elapsed >= end {
				printProgress(progress, cfg, end, contenders)
				fmt.Fprintln(progress)
				return
			}
			phase := phaseAt(cfg.phase, elapsed)
			for due := callsDue(cfg.phase, cfg.capacity(), elapsed); sent < due; sent++ {
				for _, c := range contenders {
					inflight.Go(func() { call(ctx, cfg.timeout, c, phase, start) })
				}
			}
		}
	}
}

// call makes one GET and records how it ended.
func call(ctx context.Context, timeout time.Duration, c *contender, phase int, traffic time.Time) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.backend.server.URL+"/item", nil)
	if err != nil {
		panic(err) // a constant URL: cannot fail
	}
	c.calls.start()
	start := time.Now()
	resp, err := c.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	c.calls.record(callRecord{phase: phase, start: start.Sub(traffic), latency: time.Since(start), cause: outcome(resp, err)})
}

// printProgress rewrites the progress line: the phase, and for each
// client the success rate of the calls of this phase that have ended, and
// the calls still waiting for an answer (a plain client's failures under
// overload come only at their deadline).
func printProgress(w io.Writer, cfg config, elapsed time.Duration, contenders []*contender) {
	phase := phaseAt(cfg.phase, elapsed)
	var b strings.Builder
	fmt.Fprintf(&b, "%5.1fs %-9s ok/waiting:", elapsed.Seconds(), phases[phase].name)
	for i, c := range contenders {
		if i > 0 {
			b.WriteString(" |")
		}
		waiting, done, ok := c.calls.progress(phase)
		fmt.Fprintf(&b, " %s %s/%d", c.name, pct(ok, done), waiting)
		if c.state != nil {
			fmt.Fprintf(&b, " (%s)", c.state())
		}
	}
	// Padded, to blank out the rest of a longer previous line.
	fmt.Fprintf(w, "\r%-120s", b.String())
}
