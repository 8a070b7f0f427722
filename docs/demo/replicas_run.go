package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// replicaResult is one client's figures in the replicas' run: per phase,
// the calls' summary and the bad replica's share of the requests.
type replicaResult struct {
	phases []summary
	shares []float64
}

// runReplicas plays the replicas' run: it prints its header and live
// progress line, then its table, and returns each client's figures.
func runReplicas(ctx context.Context, cfg config, out, progress io.Writer) (map[string]replicaResult, error) {
	contenders, err := newReplicaContenders(cfg)
	if err != nil {
		return nil, err
	}
	defer closeReplicaContenders(contenders)
	printReplicasHeader(out, cfg)
	driveReplicas(ctx, cfg, contenders, progress)
	return reportReplicas(out, contenders), nil
}

// driveReplicas sends the same open-loop traffic (cfg.load calls/s)
// through every client until the run ends or ctx is cancelled, printing
// a live progress line, and waits for every call in flight.
func driveReplicas(ctx context.Context, cfg config, contenders []*replicaContender, progress io.Writer) {
	for _, c := range contenders {
		for _, r := range c.replicas {
			r.injector.Restart() // align every schedule with the traffic
		}
	}
	_, end := replicaPhaseStarts(cfg.phase)
	openLoop(ctx, openLoopPlan{
		end:      end,
		due:      func(elapsed time.Duration) int { return int(elapsed.Seconds() * cfg.load) },
		phaseAt:  func(elapsed time.Duration) int { return replicaPhaseAt(cfg.phase, elapsed) },
		progress: func(elapsed time.Duration) { printReplicasProgress(progress, cfg, elapsed, contenders) },
		fire: func(ctx context.Context, phase int, traffic time.Time, inflight *sync.WaitGroup) {
			for _, c := range contenders {
				// The service's logical host: the client picks the replica.
				inflight.Go(func() { call(ctx, cfg.timeout, c.client, "http://"+replicaHost+"/item", c.calls, phase, traffic) })
			}
		},
	}, progress)
}

// printReplicasProgress rewrites the progress line: the phase, and for
// each client the success rate of the calls of this phase that have
// ended, and the bad replica's share of the requests of this phase.
func printReplicasProgress(w io.Writer, cfg config, elapsed time.Duration, contenders []*replicaContender) {
	phase := replicaPhaseAt(cfg.phase, elapsed)
	var b strings.Builder
	fmt.Fprintf(&b, "%5.1fs %-9s ok (replica %d's share):", elapsed.Seconds(), replicaPhases[phase].name, badReplica+1)
	for i, c := range contenders {
		if i > 0 {
			b.WriteString(" |")
		}
		_, done, ok := c.calls.progress(phase)
		var all, bad int
		for j, r := range c.replicas {
			n := r.requests()[phase]
			all += n
			if j == badReplica {
				bad = n
			}
		}
		fmt.Fprintf(&b, " %s %s (%s)", c.name, pct(ok, done), pct(bad, all))
	}
	fmt.Fprintf(w, "\r%-120s", b.String())
}

// printReplicasHeader says what the replicas' run is about to do.
func printReplicasHeader(w io.Writer, cfg config) {
	_, end := replicaPhaseStarts(cfg.phase)
	fmt.Fprintf(w, `
Part two: replicas. Each client has three loopback replicas of one service, each serving as many requests at
once as arrive in %v–%v, and calls a logical host, %.0f calls/s for %v, each with a %v deadline:
`, serviceMin, serviceMax, cfg.load, end, cfg.timeout)
	for _, p := range replicaPhases {
		fmt.Fprintf(w, "  %-10s %5v", p.name, time.Duration(p.units*float64(cfg.phase)))
		if p.degraded {
			fmt.Fprintf(w, "  replica %d answers %.0f%% of its requests 503 and serves the rest %d× slower", badReplica+1, 100*degradedErrors, degradedSlowdown)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, `All three are transport.New with its defaults. no balancing: each attempt goes to the next address in turn
(a DNS name with several A records); the stack's one breaker sees the whole service. round robin: Config.Balance
with balancer.RoundRobin, ejection off: one breaker per replica, a retry goes to another replica. Peak EWMA:
Config.Balance's defaults, latency-aware picks and outlier ejection (5 failures in a row eject for 30s).

`)
}

// reportReplicas prints the table and returns the figures by client.
func reportReplicas(w io.Writer, contenders []*replicaContender) map[string]replicaResult {
	results := make(map[string]replicaResult)
	for _, c := range contenders {
		perReplica := make([][]int, len(c.replicas))
		reached := make([]int, len(replicaPhases))
		for i, r := range c.replicas {
			perReplica[i] = r.requests()
			for j, n := range perReplica[i] {
				reached[j] += n
			}
		}
		var r replicaResult
		for i := range replicaPhases {
			r.phases = append(r.phases, c.calls.summarize([]int{i}, reached, make([]int, len(replicaPhases))))
			share := 0.0
			if reached[i] > 0 {
				share = float64(perReplica[badReplica][i]) / float64(reached[i])
			}
			r.shares = append(r.shares, share)
		}
		results[c.name] = r
	}
	const row = "%-10s  %-12s  %6s  %5s  %6s  %6s  %9s\n"
	fmt.Fprintf(w, row, "phase", "client", "ok", "load", "p50", "p99", fmt.Sprintf("replica %d", badReplica+1))
	for i, p := range replicaPhases {
		name := p.name
		for _, c := range contenders {
			r := results[c.name]
			s := r.phases[i]
			fmt.Fprintf(w, row, name, c.name, pct(s.ok, s.calls), ratio(s.reached, s.calls), ms(s.p50), ms(s.p99),
				fmt.Sprintf("%.1f%%", 100*r.shares[i]))
			name = ""
		}
	}
	fmt.Fprintln(w)
	para(w, fmt.Sprintf(`ok, load, p50/p99: as above. replica %d: its share of the requests that reached the replicas.
Peak EWMA's ejection lasts 30s (doubling on each repeat), round robin's breaker breaks for 5s: both may outlast
this short run, and the replica stays out after it recovers until they end.`, badReplica+1))
	return results
}
