package balancer

import (
	"time"

	"github.com/resilient-go/resilient/discovery"
)

// EndpointStats is one endpoint's state at one moment, for status pages
// and metrics: plain values, the caller's to keep.
type EndpointStats struct {
	Endpoint discovery.Endpoint
	// InFlight is the number of picks not yet Done.
	InFlight int64
	// Successes, Failures and Ignored count the outcomes reported.
	Successes, Failures, Ignored uint64
	// Latency is the peak-sensitive latency average, decayed to now.
	Latency time.Duration
	// EjectedUntil is when the current ejection ends; zero when the
	// endpoint is not ejected. TimesEjected is its ejection count.
	EjectedUntil time.Time
	TimesEjected int
	// Healthy is the active health checks' verdict (true without them).
	Healthy bool
}

// Ejected reports whether the endpoint is ejected.
func (s EndpointStats) Ejected() bool { return !s.EjectedUntil.IsZero() }

// Endpoints returns the state of each endpoint of the current set, in the
// set's order. It takes no lock that a pick takes.
func (b *Balancer) Endpoints() []EndpointStats {
	return b.EndpointsAt(time.Now())
}

// EndpointsAt is Endpoints at a given time (for the latency's decay and
// the ejections' ends).
func (b *Balancer) EndpointsAt(now time.Time) []EndpointStats {
	s := b.set.Load()
	t := b.nanos(now)
	out := make([]EndpointStats, len(s.entries))
	for i, e := range s.entries {
		m := e.m
		st := EndpointStats{
			Endpoint:     *m.ep.Load(),
			InFlight:     m.inflight.Load(),
			Successes:    m.successes.Load(),
			Failures:     m.failures.Load(),
			Ignored:      m.ignored.Load(),
			Latency:      time.Duration(m.latency(t, b.tau)),
			TimesEjected: int(m.timesEjected.Load()),
			Healthy:      !m.unhealthy.Load(),
		}
		if until := m.ejectedUntil.Load(); until > t {
			st.EjectedUntil = b.epoch.Add(time.Duration(until))
		}
		out[i] = st
	}
	return out
}
