package main

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// recorder keeps every call a client made: enough to summarise any set
// of phases and to find when the client recovered.
type recorder struct {
	mu    sync.Mutex
	calls []callRecord
	// For the progress line: the calls under way, and the finished ones
	// and the successful ones per phase.
	started  int
	done, ok []int
}

// callRecord is one call: when it started (from the start of the
// traffic), how long it took as the caller saw it, and how it ended.
type callRecord struct {
	phase   int
	start   time.Duration
	latency time.Duration
	cause   cause
}

func (c callRecord) ok() bool { return c.cause == succeeded }

func newRecorder(phases int) *recorder {
	return &recorder{done: make([]int, phases), ok: make([]int, phases)}
}

// start counts a call that has started; record, one that has ended.
func (r *recorder) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started++
}

func (r *recorder) record(c callRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	r.done[c.phase]++
	if c.ok() {
		r.ok[c.phase]++
	}
}

// progress returns the calls under way, and the finished calls and the
// successful ones of a phase.
func (r *recorder) progress(phase int) (waiting, done, ok int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started - len(r.calls), r.done[phase], r.ok[phase]
}

// summary is what the table shows for one client over a set of phases.
type summary struct {
	calls, ok          int
	causes             [numCauses]int // the calls by how they ended
	reached, throttled int            // backend requests, and those answered 429
	p50, p99           time.Duration
}

// summarize sums up the calls of the given phases; reached and throttled
// are the backend's counts per phase.
func (r *recorder) summarize(phases []int, reached, throttled []int) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s summary
	var lat []time.Duration
	for _, c := range r.calls {
		if slices.Contains(phases, c.phase) {
			s.calls++
			s.causes[c.cause]++
			if c.ok() {
				s.ok++
			}
			lat = append(lat, c.latency)
		}
	}
	for _, p := range phases {
		s.reached += reached[p]
		s.throttled += throttled[p]
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

// recovery returns how long after from the calls started going well
// again: the start of the first window of the calls started after from in
// which at least target of them were good. ok is false when no window
// that ends before the last call qualifies.
func (r *recorder) recovery(from, window time.Duration, target float64, good func(callRecord) bool) (after time.Duration, ok bool) {
	r.mu.Lock()
	var calls []callRecord
	for _, c := range r.calls {
		if c.start >= from {
			calls = append(calls, c)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(calls, func(a, b callRecord) int { return cmp.Compare(a.start, b.start) })
	if len(calls) == 0 {
		return 0, false
	}
	last := calls[len(calls)-1].start
	n, j := 0, 0 // calls[i:j] is the window, n its good calls
	for i, c := range calls {
		if c.start+window > last {
			break // a window cut short by the end of the run proves nothing
		}
		for j < len(calls) && calls[j].start < c.start+window {
			if good(calls[j]) {
				n++
			}
			j++
		}
		if float64(n) >= target*float64(j-i) {
			return c.start - from, true
		}
		if good(c) {
			n--
		}
	}
	return 0, false
}
