package faulttest

import "sync/atomic"

// Counts are the counters of an Injector, over its whole life or one phase.
//
// Every request counts in Requests. A request forwarded to next counts in
// Passed (Truncate and SlowBody forward); one that is not counts in exactly
// one of Refused, Reset, Hung and Status, unless its context ended during its
// latency. Delayed counts the requests that waited a latency (> 0), whatever
// their fault. Truncated and Slowed count the responses actually altered, so
// they are at most Passed.
type Counts struct {
	Requests  uint64 // requests seen
	Passed    uint64 // requests forwarded to next
	Delayed   uint64 // requests delayed by a latency
	Refused   uint64 // Refuse faults (a Handler resets instead, but counts here)
	Reset     uint64 // Reset faults
	Hung      uint64 // Hang faults (counted when the hang starts)
	Status    uint64 // Status faults
	Truncated uint64 // responses whose body was cut short
	Slowed    uint64 // responses whose body was slowed down
}

// add adds c to s.
func (s *Counts) add(c Counts) {
	s.Requests += c.Requests
	s.Passed += c.Passed
	s.Delayed += c.Delayed
	s.Refused += c.Refused
	s.Reset += c.Reset
	s.Hung += c.Hung
	s.Status += c.Status
	s.Truncated += c.Truncated
	s.Slowed += c.Slowed
}

// PhaseStats are the counts of one phase of the schedule.
type PhaseStats struct {
	Name string // the phase's name, as Injector.Phase reports it
	Counts
}

// Stats is a snapshot of an Injector's counters: the totals (the embedded
// Counts: s.Requests, s.Refused…) and the same counts per phase. Each counter
// is read atomically, but while requests are in flight the snapshot as a
// whole is not one instant. A Stats is the caller's to keep.
type Stats struct {
	Counts
	Phases []PhaseStats // one per Config.Phases entry, in order
}

// Stats returns a snapshot of the counters.
func (in *Injector) Stats() Stats {
	s := Stats{Phases: make([]PhaseStats, len(in.phases))}
	for i := range in.phases {
		ph := &in.phases[i]
		c := ph.stats.load()
		s.Phases[i] = PhaseStats{Name: ph.name, Counts: c}
		s.Counts.add(c)
	}
	return s
}

// counters are a phase's live counters.
type counters struct {
	requests, passed, delayed                       atomic.Uint64
	refused, reset, hung, status, truncated, slowed atomic.Uint64
}

func (c *counters) load() Counts {
	return Counts{
		Requests:  c.requests.Load(),
		Passed:    c.passed.Load(),
		Delayed:   c.delayed.Load(),
		Refused:   c.refused.Load(),
		Reset:     c.reset.Load(),
		Hung:      c.hung.Load(),
		Status:    c.status.Load(),
		Truncated: c.truncated.Load(),
		Slowed:    c.slowed.Load(),
	}
}
