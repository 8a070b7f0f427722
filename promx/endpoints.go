package promx

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/transport"
)

// endpointDescs describe the metrics read from Snapshot.Endpoints at
// scrape time: one series per endpoint for the first max endpoints of the
// set, and set-wide counts that cover every endpoint.
type endpointDescs struct {
	max int

	inFlight, attempts, latency, ejected, healthy   *prometheus.Desc
	endpoints, endpointsEjected, endpointsUnhealthy *prometheus.Desc
}

func newEndpointDescs(ns string, constLabels prometheus.Labels, max int) endpointDescs {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(ns, "", name), help, labels, constLabels)
	}
	return endpointDescs{
		max: max,
		inFlight: desc("endpoint_in_flight",
			"Attempts sent to a balanced endpoint (its host:port) and not finished yet.",
			"endpoint"),
		attempts: desc("endpoint_attempts_total",
			"Attempts sent to a balanced endpoint since it joined the set, by outcome (success, failure, ignored) as the classifier judged them.",
			"endpoint", "outcome"),
		latency: desc("endpoint_latency_seconds",
			"The balancer's peak-sensitive latency average of an endpoint (Peak EWMA), decaying towards 0 while it is idle.",
			"endpoint"),
		ejected: desc("endpoint_ejected",
			"1 while an endpoint is ejected from the rotation for failing (outlier ejection), 0 otherwise.",
			"endpoint"),
		healthy: desc("endpoint_healthy",
			"1 while an endpoint passes its active health checks (always 1 without them), 0 otherwise.",
			"endpoint"),
		endpoints: desc("endpoints",
			"Endpoints in the balancer's current set."),
		endpointsEjected: desc("endpoints_ejected",
			"Endpoints of the balancer's set ejected now."),
		endpointsUnhealthy: desc("endpoints_unhealthy",
			"Endpoints of the balancer's set failing their active health checks now."),
	}
}

func (d *endpointDescs) describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{d.inFlight, d.attempts, d.latency, d.ejected, d.healthy,
		d.endpoints, d.endpointsEjected, d.endpointsUnhealthy} {
		ch <- x
	}
}

// endpointOutcomes are the outcome label values of endpoint_attempts_total,
// the same as calls_total's.
var endpointOutcomes = [...]string{transport.Success.String(), transport.Failure.String(), transport.Ignored.String()}

// collect exports eps; it exports nothing for a stack that does not
// balance (nil eps), so that the endpoint metrics stay out of its scrapes.
func (d *endpointDescs) collect(ch chan<- prometheus.Metric, eps []balancer.EndpointStats) {
	if eps == nil {
		return
	}
	gauge := func(desc *prometheus.Desc, v float64, lvs ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, lvs...)
	}
	ejected, unhealthy := 0, 0
	for i, e := range eps {
		if e.Ejected() {
			ejected++
		}
		if !e.Healthy {
			unhealthy++
		}
		if i >= d.max {
			continue // bounded: the set-wide counts still include it
		}
		addr := e.Endpoint.Addr
		gauge(d.inFlight, float64(e.InFlight), addr)
		for j, n := range [...]uint64{e.Successes, e.Failures, e.Ignored} {
			ch <- prometheus.MustNewConstMetric(d.attempts, prometheus.CounterValue, float64(n), addr, endpointOutcomes[j])
		}
		gauge(d.latency, e.Latency.Seconds(), addr)
		gauge(d.ejected, bit(e.Ejected()), addr)
		gauge(d.healthy, bit(e.Healthy), addr)
	}
	gauge(d.endpoints, float64(len(eps)))
	gauge(d.endpointsEjected, float64(ejected))
	gauge(d.endpointsUnhealthy, float64(unhealthy))
}

func bit(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// labelBound hands out at most max distinct label values, then OtherHost.
// It takes a lock: it serves rare events (ejections), not the hot path.
type labelBound struct {
	max  int
	mu   sync.Mutex
	seen map[string]struct{} // requires mu held
}

func (b *labelBound) label(v string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if v == OtherHost || len(b.seen) >= b.max {
		return OtherHost
	}
	if b.seen == nil {
		b.seen = map[string]struct{}{}
	}
	b.seen[v] = struct{}{}
	return v
}

// BalancerHooks returns the hooks that count ejections in
// endpoint_ejections_total{endpoint, reason}. Pass them in
// transport.BalanceConfig.Hooks, or in the balancer.Config of a Balancer
// of your own:
//
//	Balance: &transport.BalanceConfig{Resolver: users, Hooks: metrics.BalancerHooks()},
//
// The count is a hook's because the Snapshot's EndpointStats.TimesEjected
// is no counter: it decays by one for each quiet interval. The endpoint
// label is bounded by Config.MaxEndpoints (past it, endpoint="other").
// They set OnEject only; wrap it to add a hook of your own.
func (m *Metrics) BalancerHooks() balancer.Hooks {
	return balancer.Hooks{OnEject: m.onEject}
}

func (m *Metrics) onEject(e balancer.Ejection) {
	m.ejections.WithLabelValues(m.ejectedEndpoints.label(e.Addr), e.Reason.String()).Inc()
}
