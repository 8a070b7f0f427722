package scenario

import (
	"errors"
	"fmt"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// Phase is one stretch of a scenario: how long it lasts, how many calls
// the callers start, and what the backend does.
type Phase struct {
	// Name names the phase in tables and plots.
	Name string
	// Duration is how long the phase lasts; it must be positive.
	Duration time.Duration
	// Rate is the calls per second the callers start during the phase
	// (open loop: whatever happened to the earlier calls).
	Rate float64
	// Fault is what internal/chaos injects in front of the backend during
	// the phase (its Name and Duration are set from the Phase's). The zero
	// value injects nothing.
	Fault chaos.Phase
	// Callers, when positive, runs the phase closed loop: that many
	// callers, each starting its next call as soon as its last one
	// ended, for as long as the phase lasts (Rate must then be zero).
	// Each client then makes as many calls as it gets through.
	Callers int
	// Throttle makes the backend answer every request 429 Too Many
	// Requests with Retry-After: 1: it asks the client to leave it alone
	// for a second, again and again.
	Throttle bool
	// Quota, when positive, makes the backend serve at most Quota
	// requests per second during the phase (a token bucket holding a
	// tenth of a second's worth, as an API gateway's quota) and answer
	// the rest 429 with Retry-After: 1. Unlike Throttle, it does not ask
	// for silence: requests within the quota are served.
	Quota float64
	// Refuse makes the server refuse connections during the phase: its
	// listener is closed (and its open connections dropped) at the
	// phase's start, so that a new connection is refused by the kernel
	// (ECONNREFUSED, nothing sent), and it listens again on the same
	// address at the phase's end. A crashed process, a pod restarting.
	Refuse bool
	// SlowEvery, when positive, makes one request in SlowEvery (counted in
	// order of arrival, from a seeded offset) take Backend.SlowFactor
	// times its service time.
	SlowEvery int
}

// Backend is the model of the server behind the loopback listener.
type Backend struct {
	// Workers is how many requests the server serves at once; the others
	// wait in the server's queue, unbounded, as in a thread-pool server,
	// until a worker frees up or their client gives up. Zero means no
	// limit.
	Workers int
	// ServiceMin and ServiceMax bound each request's service time, drawn
	// uniformly from a seeded source.
	ServiceMin, ServiceMax time.Duration
	// SlowFactor multiplies the service time of the slow requests of a
	// phase with SlowEvery set. Zero means 50.
	SlowFactor int
}

// throttleRetryAfter is the pause a Throttle phase asks for.
const throttleRetryAfter = time.Second

// Scenario is an incident played against each client in turn.
type Scenario struct {
	// Name is a short identifier (file names, flags).
	Name string
	// Title is the heading of its section in the report.
	Title string
	// Phases is the schedule, in order.
	Phases []Phase
	// Backend is the server model, the same in every phase.
	Backend Backend
	// Deadline bounds each call, as the caller's context deadline.
	Deadline time.Duration
	// Healed is the index of the phase from which the backend is healthy
	// for good: time to recover is counted from its start. Negative means
	// none.
	Healed int
	// Clients are the contenders, each run against its own backend.
	Clients []Client
	// Concurrent runs the clients at the same time (each against its own
	// backend) instead of one after the other: quicker, for scenarios
	// whose figures do not hinge on the CPU (counts rather than
	// latencies).
	Concurrent bool
	// Seed seeds the fault injector and the service times.
	Seed uint64

	// Replicas, when above one, runs that many backends for each client,
	// each its own loopback server with the same Backend model: the
	// replicas of one service. Calls then address the logical host
	// ReplicaHost, and each client is built by its NewReplicas with the
	// replicas' addresses. Zero or one means a single backend.
	Replicas int
	// Faulty is the index of the replica that the phases' Fault,
	// Throttle and SlowEvery hit; the other replicas stay healthy
	// throughout. With a single backend it must be zero.
	Faulty int
}

// ReplicaHost is the logical host that the calls of a scenario with
// Replicas address: no DNS knows it, so an attempt that a client does not
// send to one of the replicas' addresses fails.
const ReplicaHost = "replicas.invalid"

// replicas is the number of backends each client gets.
func (s *Scenario) replicas() int { return max(1, s.Replicas) }

// Duration is the length of the whole schedule.
func (s *Scenario) Duration() time.Duration {
	var d time.Duration
	for _, p := range s.Phases {
		d += p.Duration
	}
	return d
}

// PhaseStart returns when phase i starts, from the start of the traffic.
func (s *Scenario) PhaseStart(i int) time.Duration {
	var d time.Duration
	for _, p := range s.Phases[:i] {
		d += p.Duration
	}
	return d
}

// phaseAt returns the index of the phase running at elapsed.
func (s *Scenario) phaseAt(elapsed time.Duration) int {
	for i, p := range s.Phases {
		if elapsed < p.Duration {
			return i
		}
		elapsed -= p.Duration
	}
	return len(s.Phases) - 1
}

// callsDue is how many calls the open-loop traffic has started by elapsed:
// the integral of the phases' rates, so the rate holds however late the
// driver's ticks come.
func (s *Scenario) callsDue(elapsed time.Duration) int {
	due := 0.0
	for _, p := range s.Phases {
		d := min(elapsed, p.Duration)
		due += d.Seconds() * p.Rate
		elapsed -= d
		if elapsed <= 0 {
			break
		}
	}
	return int(due)
}

// ErrInvalidScenario is wrapped by every error Validate returns.
var ErrInvalidScenario = errors.New("scenario: invalid scenario")

// Validate checks the scenario before anything runs.
func (s *Scenario) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidScenario, s.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case s.Name == "":
		return bad("no name")
	case len(s.Phases) == 0:
		return bad("no phase")
	case len(s.Clients) == 0:
		return bad("no client")
	case s.Deadline <= 0:
		return bad("Deadline %v must be positive", s.Deadline)
	case s.Healed >= len(s.Phases):
		return bad("Healed %d past the last phase", s.Healed)
	case s.Backend.Workers < 0:
		return bad("negative Workers")
	case s.Backend.ServiceMin < 0 || s.Backend.ServiceMax < s.Backend.ServiceMin:
		return bad("service time [%v, %v] is not a range", s.Backend.ServiceMin, s.Backend.ServiceMax)
	case s.Backend.SlowFactor < 0:
		return bad("negative SlowFactor")
	case s.Replicas < 0:
		return bad("negative Replicas")
	case s.Faulty < 0 || s.Faulty >= s.replicas():
		return bad("Faulty %d is not one of the %d replicas", s.Faulty, s.replicas())
	}
	names := make(map[string]bool)
	for i, p := range s.Phases {
		if p.Name == "" || names[p.Name] {
			return bad("phase %d: empty or repeated name %q", i, p.Name)
		}
		names[p.Name] = true
		if p.Duration <= 0 || p.Rate < 0 || p.SlowEvery < 0 || p.Callers < 0 {
			return bad("phase %d (%s): Duration must be positive, Rate, Callers and SlowEvery not negative", i, p.Name)
		}
		if p.Callers > 0 && p.Rate > 0 {
			return bad("phase %d (%s): Callers (closed loop) and Rate (open loop) are both set", i, p.Name)
		}
	}
	for _, c := range s.Clients {
		switch {
		case c.Name == "":
			return bad("a client without a Name")
		case s.Replicas > 1 && c.NewReplicas == nil:
			return bad("client %s has no NewReplicas, and the scenario has %d replicas", c.Name, s.Replicas)
		case s.Replicas <= 1 && c.New == nil:
			return bad("client %s has no New", c.Name)
		}
	}
	_, err := chaos.New(chaos.Config{Seed: s.Seed, Phases: s.chaosPhases(s.Faulty)})
	return err
}

// chaosPhases is the injector's schedule for one replica: each phase's
// Fault (for the faulty replica; none for the others) under its name and
// length; the last lasts forever, so that calls that outlive the schedule
// still see its behaviour.
func (s *Scenario) chaosPhases(replica int) []chaos.Phase {
	out := make([]chaos.Phase, len(s.Phases))
	for i, p := range s.Phases {
		if replica == s.Faulty {
			out[i] = p.Fault
		}
		out[i].Name = p.Name
		out[i].Duration = p.Duration
		if i == len(s.Phases)-1 {
			out[i].Duration = 0
		}
	}
	return out
}
