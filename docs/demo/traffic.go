package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// drive sends the open-loop traffic through every contender until the
// schedule ends or ctx is cancelled, printing a live progress line, and
// waits for every call in flight.
func drive(ctx context.Context, cfg config, contenders []*contender, progress io.Writer) {
	for _, c := range contenders {
		c.backend.injector.Restart() // align every schedule with the traffic
	}
	start := time.Now()
	_, total := phaseStarts(cfg.phase)
	tick := time.NewTicker(time.Second / time.Duration(cfg.rate))
	defer tick.Stop()
	progressTick := time.NewTicker(250 * time.Millisecond)
	defer progressTick.Stop()

	var inflight sync.WaitGroup
	defer inflight.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-progressTick.C:
			printProgress(progress, time.Since(start), contenders)
		case now := <-tick.C:
			elapsed := now.Sub(start)
			if elapsed >= total {
				printProgress(progress, total, contenders)
				fmt.Fprintln(progress)
				return
			}
			phase := phaseAt(cfg.phase, elapsed)
			for _, c := range contenders {
				inflight.Go(func() { call(ctx, cfg.timeout, c, phase) })
			}
		}
	}
}

// call makes one GET and records how it ended.
func call(ctx context.Context, timeout time.Duration, c *contender, phase int) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.backend.server.URL+"/item", nil)
	if err != nil {
		panic(err) // a constant URL: cannot fail
	}
	start := time.Now()
	resp, err := c.client.Do(req)
	ok := false
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		ok = err == nil && resp.StatusCode == http.StatusOK
	}
	c.stats.record(phase, ok, time.Since(start))
}

func printProgress(w io.Writer, elapsed time.Duration, contenders []*contender) {
	calls, _ := contenders[0].stats.totals()
	line := fmt.Sprintf("\r%5.1fs %-9s %5d calls, ok so far:", elapsed.Seconds(), contenders[0].backend.injector.Phase(), calls)
	for _, c := range contenders {
		calls, ok := c.stats.totals()
		line += fmt.Sprintf("  %s %s", c.name, pct(ok, calls))
	}
	fmt.Fprint(w, line+"   ")
}
