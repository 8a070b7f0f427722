package statusz

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/transport"
)

// Status is the page's content, and the JSON document served to machines.
// Rates are fractions in [0, 1], durations are seconds, times are RFC 3339
// (omitted when zero). Every list is sorted by host (endpoints by address).
type Status struct {
	// Title is Config.Title.
	Title string `json:"title"`
	// Time is when the snapshot was taken.
	Time time.Time `json:"time"`
	// RetryBudget is the retries available now.
	RetryBudget Budget `json:"retry_budget"`
	// Breakers holds one entry per host breaker.
	Breakers []Breaker `json:"breakers"`
	// Hosts holds the load control of each host with per-host limits.
	Hosts []Host `json:"hosts"`
	// Pool is the connection pool's reuse; nil when the stack runs over
	// a base RoundTripper of the caller's.
	Pool *Pool `json:"pool,omitempty"`
	// Endpoints holds the replicas that the stack balances over
	// (transport.Config.Balance); empty without balancing.
	Endpoints []Endpoint `json:"endpoints"`
	// Sections holds the extra sections of Config.Sections, in their
	// order; empty without any.
	Sections []SectionStatus `json:"sections"`
}

// Endpoint is one balanced replica (see balancer.EndpointStats): its
// picks, their outcomes and latency, its ejection and its health.
type Endpoint struct {
	// Addr is the replica's host:port, where its attempts are sent.
	Addr string `json:"addr"`
	// Zone is its failure domain; omitted when unknown.
	Zone string `json:"zone,omitempty"`
	// Weight is its share of the traffic relative to the others (its
	// effective weight: an Endpoint with weight 0 counts 1).
	Weight int `json:"weight"`
	// Meta holds the resolver's free-form labels; omitted when none.
	Meta map[string]string `json:"meta,omitempty"`
	// InFlight counts the attempts sent to it and not finished yet.
	InFlight int64 `json:"in_flight"`
	// Successes, Failures and Ignored count the outcomes of its attempts
	// since it joined the set; FailureRatio is Failures/(Successes +
	// Failures), 0 before any, ignored attempts counting neither way.
	Successes    uint64  `json:"successes"`
	Failures     uint64  `json:"failures"`
	Ignored      uint64  `json:"ignored"`
	FailureRatio float64 `json:"failure_ratio"`
	// Latency is the balancer's peak-sensitive latency average, in
	// seconds (0 before any attempt, decaying towards 0 while idle).
	Latency float64 `json:"latency_seconds"`
	// Ejected reports a replica taken out of the rotation for failing;
	// EjectedUntil is when it comes back (omitted when not ejected) and
	// TimesEjected its recent ejections, which lengthen the next one.
	Ejected      bool      `json:"ejected"`
	EjectedUntil time.Time `json:"ejected_until,omitzero"`
	TimesEjected int       `json:"times_ejected"`
	// Healthy is the active health checks' verdict (true without them).
	Healthy bool `json:"healthy"`
}

// Budget is the retry budget's level.
type Budget struct {
	// Available is the number of retries that may be made now; 0 when
	// the budget is unlimited or retries are off.
	Available float64 `json:"available"`
	// Unlimited reports a budget that never refuses a retry.
	Unlimited bool `json:"unlimited"`
}

// Breaker is one host's circuit breaker.
type Breaker struct {
	Host string `json:"host"`
	// State is "closed", "open", "half-open", "isolated" or "disabled".
	State string `json:"state"`
	// Calls, Failures and Slow count the breaker's current window (see
	// breaker.Snapshot); FailureRate and SlowRate are their ratios to
	// Calls, 0 when the window is empty.
	Calls       uint64  `json:"calls"`
	Failures    uint64  `json:"failures"`
	Slow        uint64  `json:"slow"`
	FailureRate float64 `json:"failure_rate"`
	SlowRate    float64 `json:"slow_rate"`
	// ConsecutiveFailures is the current run of failures.
	ConsecutiveFailures uint64 `json:"consecutive_failures"`
	// Trips and Rejected count, over the breaker's life, its openings
	// and the calls it refused.
	Trips    uint64 `json:"trips"`
	Rejected uint64 `json:"rejected"`
	// Generation is the number of transitions so far.
	Generation uint64 `json:"generation"`
	// OpenUntil is when an open breaker admits a probe again.
	OpenUntil time.Time `json:"open_until,omitzero"`
}

// Host is one host's load control.
type Host struct {
	Host string `json:"host"`
	// PausedUntil is when the server's pushback pause ends; omitted when
	// the host is not paused.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// Limit and InFlight are the concurrency limit and the requests
	// holding it; zero without a concurrency limit.
	Limit    int `json:"limit"`
	InFlight int `json:"in_flight"`
	// Queue is the waiting room in front of the limit.
	Queue Queue `json:"queue"`
	// RejectProbability is the client-side throttle's probability of
	// refusing a request now; zero without a throttle.
	RejectProbability float64 `json:"reject_probability"`
	// AdaptiveRate is the host's adaptive rate (transport
	// LimitConfig.AdaptiveRate) in requests per second, once a throttle
	// has set it; omitted without one. AdaptiveUnthrottled reports an
	// adaptive rate that no throttle has set yet (nothing is limited).
	AdaptiveRate        float64 `json:"adaptive_rate,omitempty"`
	AdaptiveUnthrottled bool    `json:"adaptive_unthrottled,omitempty"`
}

// Queue is the state of a host's queue (see queue.Stats): the callers
// waiting now, and counters since the start.
type Queue struct {
	Depth      int  `json:"depth"`
	Overloaded bool `json:"overloaded"`

	Admitted     uint64 `json:"admitted"`
	Queued       uint64 `json:"queued"`
	RejectedFull uint64 `json:"rejected_full"`
	TimedOut     uint64 `json:"timed_out"`
	Dropped      uint64 `json:"dropped"`
	Canceled     uint64 `json:"canceled"`

	// MeanWait and LongestWait describe the waits of the callers that
	// were queued and then admitted, in seconds.
	MeanWait    float64 `json:"mean_wait_seconds"`
	LongestWait float64 `json:"longest_wait_seconds"`
}

// Pool is the connection pool's reuse, in total and per host.
type Pool struct {
	Total Conns   `json:"total"`
	Hosts []Conns `json:"hosts"`
}

// Conns counts the connections that requests were given (see
// pool.HostStats).
type Conns struct {
	// Host is empty in Pool.Total.
	Host   string `json:"host,omitempty"`
	New    uint64 `json:"new"`
	Reused uint64 `json:"reused"`
	// ReuseRatio is Reused/(New+Reused), 0 before any connection.
	ReuseRatio float64 `json:"reuse_ratio"`
	// MeanIdle is how long a reused connection had been idle, on
	// average, in seconds.
	MeanIdle float64 `json:"mean_idle_seconds"`
}

// FromSnapshot converts a transport.Snapshot taken at now into a Status
// (with an empty Title and no Sections). Values that JSON cannot carry
// (NaN, infinities) become 0, an infinite budget being reported as
// Unlimited.
func FromSnapshot(s transport.Snapshot, now time.Time) Status {
	st := Status{
		Time:     now,
		Breakers: make([]Breaker, 0, len(s.Breakers)),
		Hosts:    make([]Host, 0, len(s.Hosts)),
		// Endpoints, like every list, is [] rather than null in JSON.
		Endpoints: make([]Endpoint, 0, len(s.Endpoints)),
		Sections:  []SectionStatus{},
	}
	if math.IsInf(s.RetryBudget, 1) {
		st.RetryBudget.Unlimited = true
	} else {
		st.RetryBudget.Available = finite(s.RetryBudget)
	}
	for _, b := range s.Breakers {
		st.Breakers = append(st.Breakers, fromBreaker(b))
	}
	for _, h := range s.Hosts {
		st.Hosts = append(st.Hosts, fromHost(h))
	}
	if s.Pool != nil {
		st.Pool = fromPool(*s.Pool)
	}
	for _, e := range s.Endpoints {
		st.Endpoints = append(st.Endpoints, fromEndpoint(e))
	}
	slices.SortFunc(st.Endpoints, func(a, b Endpoint) int { return strings.Compare(a.Addr, b.Addr) })
	return st
}

func fromEndpoint(e balancer.EndpointStats) Endpoint {
	return Endpoint{
		Addr:         e.Endpoint.Addr,
		Zone:         e.Endpoint.Zone,
		Weight:       e.Endpoint.EffectiveWeight(),
		Meta:         maps.Clone(e.Endpoint.Meta), // the resolver's map is shared: the Status is the caller's to keep
		InFlight:     e.InFlight,
		Successes:    e.Successes,
		Failures:     e.Failures,
		Ignored:      e.Ignored,
		FailureRatio: ratio(e.Failures, e.Successes+e.Failures),
		Latency:      e.Latency.Seconds(),
		Ejected:      e.Ejected(),
		EjectedUntil: e.EjectedUntil,
		TimesEjected: e.TimesEjected,
		Healthy:      e.Healthy,
	}
}

func fromBreaker(b breaker.Snapshot) Breaker {
	return Breaker{
		Host:                b.Name,
		State:               b.State.String(),
		Calls:               b.Calls,
		Failures:            b.Failures,
		Slow:                b.Slow,
		FailureRate:         ratio(b.Failures, b.Calls),
		SlowRate:            ratio(b.Slow, b.Calls),
		ConsecutiveFailures: b.ConsecutiveFailures,
		Trips:               b.Trips,
		Rejected:            b.Rejected,
		Generation:          b.Generation,
		OpenUntil:           b.OpenUntil,
	}
}

func fromHost(h transport.HostLoad) Host {
	q := h.Queue
	out := Host{
		Host:              h.Host,
		PausedUntil:       h.PausedUntil,
		Limit:             h.Limit,
		InFlight:          h.InFlight,
		RejectProbability: finite(h.RejectProbability),
		Queue: Queue{
			Depth:        q.Depth,
			Overloaded:   q.Overloaded,
			Admitted:     q.Admitted,
			Queued:       q.Queued,
			RejectedFull: q.RejectedFull,
			TimedOut:     q.TimedOut,
			Dropped:      q.Dropped,
			Canceled:     q.Canceled,
			LongestWait:  q.LongestWait.Seconds(),
		},
	}
	if q.Queued > 0 {
		out.Queue.MeanWait = q.TotalWait.Seconds() / float64(q.Queued)
	}
	if math.IsInf(h.AdaptiveRate, 1) {
		out.AdaptiveUnthrottled = true
	} else {
		out.AdaptiveRate = finite(h.AdaptiveRate)
	}
	return out
}

func fromPool(p pool.Stats) *Pool {
	out := &Pool{Total: conns("", p.Total), Hosts: make([]Conns, 0, len(p.Hosts))}
	for host, hs := range p.Hosts {
		out.Hosts = append(out.Hosts, conns(host, hs))
	}
	slices.SortFunc(out.Hosts, func(a, b Conns) int { return strings.Compare(a.Host, b.Host) })
	return out
}

func conns(host string, h pool.HostStats) Conns {
	c := Conns{Host: host, New: h.New, Reused: h.Reused, ReuseRatio: ratio(h.Reused, h.New+h.Reused)}
	if h.Idle > 0 {
		c.MeanIdle = h.IdleTime.Seconds() / float64(h.Idle)
	}
	return c
}

func ratio(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
