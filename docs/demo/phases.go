package main

import (
	"net/http"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// phase is one stretch of the incident the demo plays: how long it lasts,
// how much traffic it offers, and what the backend does.
type phase struct {
	name  string
	units float64 // length, in units of -phase
	load  float64 // offered load, as a share of the backend's capacity
	// outage makes the chaos injector answer every request 503: a dead
	// backend behind a load balancer.
	outage bool
	// quota makes the backend admit only its quota of requests per second
	// and answer the rest 429 with Retry-After (see quotaShare).
	quota bool
}

// phases is the incident, in order. The outage is long enough for a
// breaker to see a majority of failures in its window, open, and fail fast
// for a while. The recovery is the longest: a plain client that queued
// its calls in the server during the overload takes about two deadlines
// to get its latency back. Every phase but the overload offers half the
// capacity, so that only the overload overloads.
var phases = []phase{
	{name: "healthy", units: 1, load: 0.5},
	{name: "outage", units: 2, load: 0.5, outage: true},
	{name: "brownout", units: 2, load: 0.5, quota: true},
	{name: "overload", units: 2, load: 2.5},
	{name: "recovered", units: 2.5, load: 0.5},
}

// healed is the index of the phase in which the backend heals for good:
// the clock of the time to recover starts with it.
var healed = len(phases) - 1

// phaseStarts returns when each phase starts, and when the last one ends.
func phaseStarts(unit time.Duration) (starts []time.Duration, end time.Duration) {
	for _, p := range phases {
		starts = append(starts, end)
		end += p.length(unit)
	}
	return starts, end
}

func (p phase) length(unit time.Duration) time.Duration {
	return time.Duration(p.units * float64(unit))
}

// phaseAt returns the index of the phase running at elapsed.
func phaseAt(unit, elapsed time.Duration) int {
	starts, _ := phaseStarts(unit)
	i := 0
	for i+1 < len(starts) && elapsed >= starts[i+1] {
		i++
	}
	return i
}

// callsDue returns how many calls the open-loop traffic has started by
// elapsed: the integral of the phases' rates, so that the rate holds
// however late the driver's ticks come.
func callsDue(unit time.Duration, capacity float64, elapsed time.Duration) int {
	due := 0.0
	for _, p := range phases {
		d := min(elapsed, p.length(unit))
		due += d.Seconds() * p.load * capacity
		elapsed -= d
		if elapsed <= 0 {
			break
		}
	}
	return int(due)
}

// schedule is the chaos injector's schedule: the phases by name and
// length, with the outage's 503s. The capacity and the quota are the
// backend handler's own (see backend), switched by the injector's phase.
func schedule(unit time.Duration) []chaos.Phase {
	out := make([]chaos.Phase, len(phases))
	for i, p := range phases {
		out[i].Name = p.name
		if i < len(phases)-1 { // the last phase lasts forever
			out[i].Duration = p.length(unit)
		}
		if p.outage {
			out[i].Status, out[i].StatusCode = 1, http.StatusServiceUnavailable
		}
	}
	return out
}
