package scenario

import (
	"cmp"
	"slices"
	"time"
)

// Summary sums up a client's calls over some phases.
type Summary struct {
	// Calls started in the phases, and how they ended.
	Calls    int
	Outcomes [numOutcomes]int
	// Attempts of those calls that reached the pool.
	Attempts int
	// Sent is the attempts sent to the pool while the phases lasted,
	// whichever call they belong to (ClientResult.Sent).
	Sent int64
	// Backend requests the server saw during the phases, those it
	// answered 429, and those that arrived while it had asked the client
	// to stay away.
	Backend, Throttled, Intrusions int64
	// Replicas holds the requests each replica saw during the phases.
	Replicas []int64
	// Latency percentiles of every call (failed ones included), as the
	// callers saw them.
	P50, P99, P999, Max time.Duration
	// Seconds is the length of the phases.
	Seconds float64
	// failed holds the latencies of the failed calls, sorted.
	failed []time.Duration
}

// FastFailShare is the share of the calls that failed in under d, in
// [0, 1]: in a long outage, the callers that were not kept waiting.
func (s Summary) FastFailShare(d time.Duration) float64 {
	n, _ := slices.BinarySearch(s.failed, d)
	return ratio(float64(n), float64(s.Calls))
}

// FailedP50 is the median latency of the failed calls: how long a caller
// whose call failed waited to learn it (0 when none failed).
func (s Summary) FailedP50() time.Duration { return Percentile(s.failed, 0.5) }

// OK is the number of successful calls.
func (s Summary) OK() int { return s.Outcomes[OK] }

// SuccessRate is the share of calls that succeeded, in [0, 1].
func (s Summary) SuccessRate() float64 { return ratio(float64(s.OK()), float64(s.Calls)) }

// AttemptsPerCall is the load amplification: attempts sent per call.
func (s Summary) AttemptsPerCall() float64 { return ratio(float64(s.Attempts), float64(s.Calls)) }

// SentPerCall is the attempts sent while the phases lasted per call
// started in them: the load on a dead backend, which leaves out the
// attempts of calls that waited out the outage and were sent after it.
func (s Summary) SentPerCall() float64 { return ratio(float64(s.Sent), float64(s.Calls)) }

// Goodput is the successful calls per second of the phases.
func (s Summary) Goodput() float64 { return ratio(float64(s.OK()), s.Seconds) }

// Share is replica i's share of the requests the replicas saw, in [0, 1].
func (s Summary) Share(i int) float64 {
	var all int64
	for _, n := range s.Replicas {
		all += n
	}
	if i < 0 || i >= len(s.Replicas) {
		return 0
	}
	return ratio(float64(s.Replicas[i]), float64(all))
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Summarize sums up the calls that started in the given phases.
func (r *ClientResult) Summarize(sc *Scenario, phases ...int) Summary {
	var s Summary
	var lat []time.Duration
	for _, c := range r.Calls {
		if slices.Contains(phases, c.Phase) {
			s.Calls++
			s.Outcomes[c.Outcome]++
			s.Attempts += c.Attempts
			lat = append(lat, c.Latency)
			if c.Outcome != OK {
				s.failed = append(s.failed, c.Latency)
			}
		}
	}
	for _, p := range phases {
		s.Backend += r.Backend[p]
		if p < len(r.Sent) {
			s.Sent += r.Sent[p]
		}
		s.Throttled += r.Throttled[p]
		s.Intrusions += r.Intrusions[p]
		s.Seconds += sc.Phases[p].Duration.Seconds()
	}
	s.Replicas = make([]int64, len(r.Replicas))
	for i, perPhase := range r.Replicas {
		for _, p := range phases {
			s.Replicas[i] += perPhase[p]
		}
	}
	slices.Sort(lat)
	slices.Sort(s.failed)
	s.P50, s.P99, s.P999 = Percentile(lat, 0.50), Percentile(lat, 0.99), Percentile(lat, 0.999)
	if len(lat) > 0 {
		s.Max = lat[len(lat)-1]
	}
	return s
}

// All returns the indexes of every phase of sc.
func All(sc *Scenario) []int {
	out := make([]int, len(sc.Phases))
	for i := range out {
		out[i] = i
	}
	return out
}

// Percentile returns the q-quantile of sorted latencies: the value below
// which a share q of them lie (sorted[⌊q·n⌋]); 0 for none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// Recovery returns how long after from the calls went well again: the
// start of the first window of calls started after from in which at least
// a share target succeeded. ok is false when no window that ends before
// the last call qualifies.
func (r *ClientResult) Recovery(from, window time.Duration, target float64) (after time.Duration, ok bool) {
	var calls []Call
	for _, c := range r.Calls {
		if c.Start >= from {
			calls = append(calls, c)
		}
	}
	if len(calls) == 0 {
		return 0, false
	}
	slices.SortFunc(calls, func(a, b Call) int { return cmp.Compare(a.Start, b.Start) })
	last := calls[len(calls)-1].Start
	n, j := 0, 0 // calls[i:j] is the window, n its good calls
	for i, c := range calls {
		if c.Start+window > last {
			break // a window cut short by the end of the run proves nothing
		}
		for j < len(calls) && calls[j].Start < c.Start+window {
			if calls[j].Outcome == OK {
				n++
			}
			j++
		}
		if float64(n) >= target*float64(j-i) {
			return c.Start - from, true
		}
		if c.Outcome == OK {
			n--
		}
	}
	return 0, false
}

// Point is one step of a timeline: the calls that started in [T, T+step).
type Point struct {
	T               time.Duration
	Calls           int
	SuccessRate     float64
	AttemptsPerCall float64
	P50, P99        time.Duration
	// Shares holds each replica's share of the requests that reached
	// the replicas in [T, T+step) (by arrival); all zero when none did,
	// or when the scenario has a single backend.
	Shares []float64
}

// Timeline cuts the calls into steps by their start, for plots.
func (r *ClientResult) Timeline(sc *Scenario, step time.Duration) []Point {
	n := int((sc.Duration() + step - 1) / step)
	buckets := make([][]Call, n)
	for _, c := range r.Calls {
		if i := int(c.Start / step); i >= 0 && i < n {
			buckets[i] = append(buckets[i], c)
		}
	}
	out := make([]Point, 0, n)
	for i, b := range buckets {
		p := Point{T: time.Duration(i) * step, Calls: len(b)}
		var lat []time.Duration
		ok, attempts := 0, 0
		for _, c := range b {
			lat = append(lat, c.Latency)
			attempts += c.Attempts
			if c.Outcome == OK {
				ok++
			}
		}
		slices.Sort(lat)
		p.SuccessRate = ratio(float64(ok), float64(len(b)))
		p.AttemptsPerCall = ratio(float64(attempts), float64(len(b)))
		p.P50, p.P99 = Percentile(lat, 0.5), Percentile(lat, 0.99)
		p.Shares = make([]float64, len(r.Arrivals))
		out = append(out, p)
	}
	// The replicas' shares, by arrival.
	arrived := make([][]int, n)
	for i := range arrived {
		arrived[i] = make([]int, len(r.Arrivals))
	}
	for rep, times := range r.Arrivals {
		for _, t := range times {
			if i := int(t / step); i >= 0 && i < n {
				arrived[i][rep]++
			}
		}
	}
	for i, counts := range arrived {
		all := 0
		for _, c := range counts {
			all += c
		}
		for rep, c := range counts {
			out[i].Shares[rep] = ratio(float64(c), float64(all))
		}
	}
	return out
}
