package promx

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/transport"
)

// Metrics exports one assembled stack (transport.New) to Prometheus: event
// counters and the call duration histogram fed by its Hooks, and gauges
// read from its Snapshot at scrape time. It is a prometheus.Collector.
//
// Use one Metrics per Transport: pass Hooks to transport.Config.Hooks,
// then hand the built Transport to Observe. Several stacks on one registry
// need a Metrics each, told apart by Config.ConstLabels.
//
// A Metrics is safe for concurrent use. It holds no goroutine and no global
// state: what is not registered is not scraped, and a stack built without
// its Hooks pays nothing for it.
type Metrics struct {
	hosts *hostTable

	calls             *prometheus.CounterVec
	callDuration      *prometheus.HistogramVec
	attempts          *prometheus.CounterVec
	retries           *prometheus.CounterVec
	budgetExhausted   *prometheus.CounterVec
	breakerTransition *prometheus.CounterVec
	rejections        *prometheus.CounterVec
	pushbacks         *prometheus.CounterVec
	ejections         *prometheus.CounterVec // fed by BalancerHooks

	ejectedEndpoints *labelBound
	snap             snapshotDescs
	endpoints        endpointDescs
	transport        atomic.Pointer[transport.Transport]
}

var _ prometheus.Collector = (*Metrics)(nil)

// New builds a Metrics from cfg, validating it first, and registers it on
// cfg.Registerer when one is given. Every error wraps ErrInvalidConfig,
// a registry's refusal (a name taken, by another Metrics without distinct
// ConstLabels say) included; errors.As still finds the registry's
// prometheus.AlreadyRegisteredError.
func New(cfg Config) (*Metrics, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: c.Namespace, Name: name, Help: help, ConstLabels: c.ConstLabels}
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts(opts(name, help)), labels)
	}
	m := &Metrics{
		hosts: newHostTable(c.MaxHosts),
		calls: counter("calls_total",
			"Calls that left the stack, by host and how they ended for the caller: success, error_status, refused (by our own breaker, limit or queue), deadline, canceled, transport_error.",
			"host", "outcome"),
		callDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: c.Namespace, Name: "call_duration_seconds", ConstLabels: c.ConstLabels, Buckets: c.DurationBuckets,
			Help: "Time from a call entering the stack to its final response headers or error, retries and waits included.",
		}, []string{"host"}),
		attempts: counter("attempts_total",
			"Attempts sent (retries and hedges included, our own rejections not), by host and status class (1xx-5xx, error).",
			"host", "code"),
		retries: counter("retries_total",
			"Retries decided, by host and the reason the failed attempt was retried.",
			"host", "reason"),
		budgetExhausted: counter("retry_budget_exhausted_total",
			"Retries that were wanted but refused by the retry budget, by host.",
			"host"),
		breakerTransition: counter("breaker_transitions_total",
			"Circuit breaker state transitions, by breaker key (the host by default) and states.",
			"host", "from", "to"),
		rejections: counter("rejections_total",
			"Calls refused by our own stages before sending, by host and stage (breaker, limit, queue).",
			"host", "stage"),
		pushbacks: counter("pushback_pauses_total",
			"Pauses of a host asked for by the server (429/503 with Retry-After), by host.",
			"host"),
		ejections: counter("endpoint_ejections_total",
			"Ejections of balanced endpoints from the rotation, by endpoint (host:port) and the rule that ejected it (consecutive_failures, failure_ratio); counted by BalancerHooks.",
			"endpoint", "reason"),
		ejectedEndpoints: &labelBound{max: c.MaxEndpoints},
		snap:             newSnapshotDescs(c.Namespace, c.ConstLabels),
		endpoints:        newEndpointDescs(c.Namespace, c.ConstLabels, c.MaxEndpoints),
	}
	// A throwaway pedantic registry checks every descriptor now, so that a
	// bad name fails here rather than at the user's Register or scrape.
	if err := prometheus.NewPedanticRegistry().Register(m); err != nil {
		return nil, errorf("metric descriptors: %w", err)
	}
	if c.Registerer != nil {
		if err := c.Registerer.Register(m); err != nil {
			return nil, errorf("Config.Registerer refused the metrics: %w", err)
		}
	}
	return m, nil
}

// Observe makes m read t's Snapshot at every scrape, for the gauges:
// breaker states (from the first scrape on, whatever has happened), the
// retry budget, per-host limits and queues, pool connections, and the
// balanced endpoints. Until it is called only the hook metrics are
// exported; a nil t stops the gauges. A later call replaces the Transport
// observed.
func (m *Metrics) Observe(t *transport.Transport) {
	m.transport.Store(t)
}

// vecs returns the hook metrics, for Describe and Collect.
func (m *Metrics) vecs() [9]prometheus.Collector {
	return [...]prometheus.Collector{m.calls, m.callDuration, m.attempts, m.retries,
		m.budgetExhausted, m.breakerTransition, m.rejections, m.pushbacks, m.ejections}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, v := range m.vecs() {
		v.Describe(ch)
	}
	m.snap.describe(ch)
	m.endpoints.describe(ch)
}

// Collect implements prometheus.Collector. It takes the Snapshot of the
// observed Transport, which costs time proportional to its hosts and takes
// no lock that a request holds.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, v := range m.vecs() {
		v.Collect(ch)
	}
	if t := m.transport.Load(); t != nil {
		s := t.Snapshot()
		m.snap.collect(ch, s)
		m.endpoints.collect(ch, s.Endpoints)
	}
}
