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
	_, end := phaseStarts(cfg.phase)
	openLoop(ctx, openLoopPlan{
		end:      end,
		due:      func(elapsed time.Duration) int { return callsDue(cfg.phase, cfg.capacity(), elapsed) },
		phaseAt:  func(elapsed time.Duration) int { return phaseAt(cfg.phase, elapsed) },
		progress: func(elapsed time.Duration) { printProgress(progress, cfg, elapsed, contenders) },
		fire: func(ctx context.Context, phase int, traffic time.Time, inflight *sync.WaitGroup) {
			for _, c := range contenders {
				inflight.Go(func() {
					call(ctx, cfg.timeout, c.client, c.backend.server.URL+"/item", c.calls, phase, traffic)
				})
			}
		},
	}, progress)
}

// openLoopPlan is what openLoop needs to know of one run.
type openLoopPlan struct {
	end      time.Duration                   // when the run ends, from its start
	due      func(elapsed time.Duration) int // the calls due by elapsed, in all
	phaseAt  func(elapsed time.Duration) int // the phase at elapsed
	progress func(elapsed time.Duration)     // rewrites the progress line
	// fire starts one call per client, each on inflight.
	fire func(ctx context.Context, phase int, traffic time.Time, inflight *sync.WaitGroup)
}

// openLoop runs plan: calls start on schedule whatever happened to the
// earlier ones, as real users' would. A fine tick, and the calls due by
// now on each, so that the rate holds when a tick comes late. It returns
// at the end of the run or when ctx ends, once every call has ended.
func openLoop(ctx context.Context, plan openLoopPlan, progress io.Writer) {
	start := time.Now()
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
			plan.progress(time.Since(start))
		case <-tick.C:
			elapsed := time.Since(start)
			if elapsed >= plan.end {
				plan.progress(plan.end)
				fmt.Fprintln(progress)
				return
			}
			phase := plan.phaseAt(elapsed)
			for due := plan.due(elapsed); sent < due; sent++ {
				plan.fire(ctx, phase, start, &inflight)
			}
		}
	}
}

// call makes one GET of url through client and records how it ended.
func call(ctx context.Context, timeout time.Duration, client *http.Client, url string, calls *recorder, phase int, traffic time.Time) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		panic(err) // a constant URL: cannot fail
	}
	calls.start()
	start := time.Now()
	resp, err := client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	calls.record(callRecord{phase: phase, start: start.Sub(traffic), latency: time.Since(start), cause: outcome(resp, err)})
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
