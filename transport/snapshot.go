package transport

import (
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/queue"
)

// Snapshot is what every stage of a Transport reports at one moment: the
// data a status page or a metrics exporter needs, as plain values that are
// the caller's to keep. Stages that are switched off leave their part
// zero.
type Snapshot struct {
	// RetryBudget is the retry budget's level, in retries available now
	// (+Inf for an unlimited budget; 0 when retries are off).
	RetryBudget float64
	// Breakers holds one snapshot per host breaker, sorted by host.
	Breakers []breaker.Snapshot
	// Hosts holds the load control of each host that has per-host limits
	// (a concurrency limit, a throttle or an adaptive rate), sorted by
	// host: its pushback pause, concurrency limit, queue, throttle and
	// adaptive rate.
	Hosts []HostLoad
	// Pool holds the connection pool's reuse statistics; nil when the
	// stack runs over a Base of the caller's.
	Pool *pool.Stats
	// Endpoints holds the balanced replicas (Config.Balance), in the
	// balancer's order: in-flight picks, outcomes, latency, ejection and
	// health; nil without balancing.
	Endpoints []balancer.EndpointStats
}

// HostLoad is one host's load control in a Snapshot.
type HostLoad struct {
	// Host is the host key (see LimitConfig.Key).
	Host string
	// PausedUntil is when the server's pushback pause ends; zero when
	// the host is not paused.
	PausedUntil time.Time
	// Limit and InFlight are the concurrency limit (fixed or adaptive)
	// and the requests holding it; zero without a concurrency limit.
	Limit, InFlight int
	// Queue is the state of the queue in front of the limit.
	Queue queue.Stats
	// RejectProbability is the client-side throttle's current
	// probability of refusing a request; zero without a throttle.
	RejectProbability float64
	// AdaptiveRate is the host's adaptive rate (LimitConfig.AdaptiveRate),
	// in requests per second: +Inf while no limit applies (no MaxRate,
	// and the host has not throttled yet); zero without it.
	AdaptiveRate float64
}

// Snapshot reports the state of every stage. It takes no lock that a
// request holds, and costs time proportional to the number of hosts.
func (t *Transport) Snapshot() Snapshot {
	var s Snapshot
	if t.budget != nil {
		s.RetryBudget = t.budget.Available()
		if math.IsNaN(s.RetryBudget) {
			s.RetryBudget = 0
		}
	}
	if t.breakers != nil {
		s.Breakers = t.breakers.Snapshots()
	}
	if t.limits != nil {
		s.Hosts = t.limits.Hosts()
	}
	if t.pool != nil {
		ps := t.pool.Stats()
		s.Pool = &ps
	}
	if t.balancer != nil {
		s.Endpoints = t.balancer.Endpoints()
	}
	return s
}

// snapshot reports each host's load control.
func (t *limitTransport) snapshot() []HostLoad {
	out := make([]HostLoad, 0, t.hosts.Len())
	for name, h := range t.hosts.All() {
		hl := HostLoad{Host: name}
		if h.conc != nil {
			hl.Limit, hl.InFlight = h.conc.Limit(), h.conc.InFlight()
			hl.Queue = h.queue.Stats()
		}
		if h.throttle != nil {
			hl.RejectProbability = h.throttle.RejectProbability()
		}
		if h.adaptive != nil {
			hl.AdaptiveRate = float64(h.adaptive.Limit())
			if h.adaptive.Limit() == rate.Inf {
				hl.AdaptiveRate = math.Inf(1)
			}
		}
		if t.rate != nil {
			hl.PausedUntil = t.rate.PausedUntil(name)
		}
		out = append(out, hl)
	}
	slices.SortFunc(out, func(a, b HostLoad) int { return strings.Compare(a.Host, b.Host) })
	return out
}
