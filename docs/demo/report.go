package main

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"text/tabwriter"
	"time"
)

// recorder keeps, per phase, how many calls were made, how many succeeded,
// and their latencies.
type recorder struct {
	mu     sync.Mutex
	phases []phaseRecord
}

type phaseRecord struct {
	calls, ok int
	latencies []time.Duration
}

func newRecorder(phases int) *recorder {
	return &recorder{phases: make([]phaseRecord, phases)}
}

func (r *recorder) record(phase int, ok bool, latency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &r.phases[phase]
	p.calls++
	if ok {
		p.ok++
	}
	p.latencies = append(p.latencies, latency)
}

func (r *recorder) totals() (calls, ok int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.phases {
		calls += p.calls
		ok += p.ok
	}
	return calls, ok
}

// summary is what the final table shows for one client over a set of
// phases.
type summary struct {
	calls, ok, backend int
	p50, p99           time.Duration
}

func (r *recorder) summarize(phases []int, backendRequests []uint64) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s summary
	var lat []time.Duration
	for _, i := range phases {
		s.calls += r.phases[i].calls
		s.ok += r.phases[i].ok
		s.backend += int(backendRequests[i])
		lat = append(lat, r.phases[i].latencies...)
	}
	slices.Sort(lat)
	s.p50, s.p99 = percentile(lat, 0.50), percentile(lat, 0.99)
	return s
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// report prints, per phase and in total, each client's success rate, load
// amplification (backend requests per call) and latency, and returns the
// same figures by client name.
func report(w io.Writer, contenders []*contender) map[string][]summary {
	results := make(map[string][]summary)
	backend := make([][]uint64, len(contenders))
	for i, c := range contenders {
		for _, p := range c.backend.injector.Stats().Phases {
			backend[i] = append(backend[i], p.Requests)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "phase\t")
	for _, c := range contenders {
		fmt.Fprintf(tw, "%s: ok\tload\tp50\tp99\t", c.name)
	}
	fmt.Fprintln(tw)
	row := func(name string, phases []int) {
		fmt.Fprintf(tw, "%s\t", name)
		for i, c := range contenders {
			s := c.stats.summarize(phases, backend[i])
			results[c.name] = append(results[c.name], s)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", pct(s.ok, s.calls), ratio(s.backend, s.calls), ms(s.p50), ms(s.p99))
		}
		fmt.Fprintln(tw)
	}
	all := make([]int, len(phaseNames))
	for i, name := range phaseNames {
		row(name, []int{i})
		all[i] = i
	}
	row("total", all)
	_ = tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ok: calls that ended in 200. load: requests the backend received per call (retry amplification).")
	fmt.Fprintln(w, "p50/p99: call latency as the caller saw it, retries and waits included.")
	return results
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func ratio(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", float64(n)/float64(of))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
}
