package faulttest

import "github.com/resilient-go/resilient/internal/chaos"

// Counts are the counters of an Injector, over its whole life or one phase.
//
// Every request counts in Requests. A request forwarded to next counts in
// Passed (Truncate and SlowBody forward); one that is not counts in exactly
// one of Refused, Reset, Hung and Status, unless its context ended during
// its latency. Delayed counts the requests that waited a latency, whatever
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

// PhaseStats are the counts of one phase of the schedule.
type PhaseStats struct {
	Name string // the phase's name, as Injector.Phase reports it
	Counts
}

// Stats is a snapshot of an Injector's counters: the totals (the embedded
// Counts: s.Requests, s.Reset…) and the same counts per phase. Each counter
// is read atomically, but while requests are in flight the snapshot as a
// whole is not one instant. A Stats is the caller's to keep.
type Stats struct {
	Counts
	Phases []PhaseStats // one per Config.Phases entry, in order
}

// statsFrom converts the engine's Stats. The Counts types have the same
// fields, so a conversion copies them.
func statsFrom(s chaos.Stats) Stats {
	out := Stats{Counts: Counts(s.Counts), Phases: make([]PhaseStats, len(s.Phases))}
	for i, p := range s.Phases {
		out.Phases[i] = PhaseStats{Name: p.Name, Counts: Counts(p.Counts)}
	}
	return out
}
