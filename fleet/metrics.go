package fleet

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/breaker"
)

// Collector returns a prometheus.Collector that reports l.Stats() at each
// scrape, under the names promx uses for the rest of the stack
// (resilient_fleet_…), so that local and fleet decisions, lease sizes,
// Redis errors and fallbacks show beside the stack's own metrics. Register
// it on the same registry as promx's Metrics; constLabels (may be nil)
// tell several limiters apart. It reads the limiter only when scraped:
// calls pay nothing for it.
func Collector(l *Limiter, constLabels prometheus.Labels) prometheus.Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("resilient_fleet_"+name, help, labels, constLabels)
	}
	return &collector{
		l:         l,
		calls:     d("calls_total", "Calls the fleet limiter decided, by result (allowed, rejected, canceled).", "result"),
		decided:   d("decisions_total", "Calls by what decided them: local (a lease or a cached answer), fleet (a Redis answer waited for), fallback (Redis unavailable).", "source"),
		paused:    d("paused_rejections_total", "Calls refused because their host was paused by server pushback (shared through Redis or local)."),
		leaseReqs: d("lease_requests_total", "Lease requests sent to Redis, answered or not."),
		grants:    d("lease_grants_total", "Lease requests Redis granted."),
		leased:    d("leased_permits_total", "Permits granted by Redis in leases."),
		expired:   d("expired_permits_total", "Leased permits dropped unused at the end of their lease TTL."),
		lastLease: d("last_lease_permits", "Size of the most recent lease granted."),
		redisErrs: d("redis_errors_total", "Redis calls that failed or timed out (leases, pause reads and writes)."),
		state:     d("redis_breaker_state", "State of the breaker around Redis: 1 for the current state, 0 for the others.", "state"),
		keys:      d("keys", "Keys (hosts or user keys) tracked now."),
		evicted:   d("key_evictions_total", "Keys evicted to make room for new ones."),
	}
}

type collector struct {
	l                                                   *Limiter
	calls, decided, paused, leaseReqs, grants, leased   *prometheus.Desc
	expired, lastLease, redisErrs, state, keys, evicted *prometheus.Desc
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.calls, c.decided, c.paused, c.leaseReqs, c.grants, c.leased,
		c.expired, c.lastLease, c.redisErrs, c.state, c.keys, c.evicted} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.l.Stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter(c.calls, s.Allowed, "allowed")
	counter(c.calls, s.Rejected, "rejected")
	counter(c.calls, s.Canceled, "canceled")
	counter(c.decided, s.Local, "local")
	counter(c.decided, s.Fleet, "fleet")
	counter(c.decided, s.Fallback, "fallback")
	counter(c.paused, s.Paused)
	counter(c.leaseReqs, s.RoundTrips)
	counter(c.grants, s.Grants)
	counter(c.leased, s.Leased)
	counter(c.expired, s.Expired)
	gauge(c.lastLease, float64(s.LastLease))
	counter(c.redisErrs, s.RedisErrors)
	for _, st := range []breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen, breaker.Isolated, breaker.Disabled} {
		v := 0.0
		if s.Breaker == st {
			v = 1
		}
		gauge(c.state, v, st.String())
	}
	gauge(c.keys, float64(s.Keys))
	counter(c.evicted, s.Evictions)
}
