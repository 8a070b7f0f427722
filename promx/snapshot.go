package promx

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// breakerStates are the states that resilient_breaker_state reports, one
// series each, so that an alert can ask for state="open" and a dashboard
// can stack them.
var breakerStates = [...]breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen, breaker.Isolated, breaker.Disabled}

// snapshotDescs describe the metrics read from a transport.Snapshot at
// scrape time.
type snapshotDescs struct {
	breakerState, breakerCalls, breakerFailures *prometheus.Desc
	budget                                      *prometheus.Desc
	limit, inFlight, queueDepth, queueWait      *prometheus.Desc
	throttle                                    *prometheus.Desc
	adaptiveRate                                *prometheus.Desc
	poolConns                                   *prometheus.Desc
}

func newSnapshotDescs(ns string, constLabels prometheus.Labels) snapshotDescs {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(ns, "", name), help, labels, constLabels)
	}
	return snapshotDescs{
		breakerState: desc("breaker_state",
			"Circuit breaker state by breaker key (the host by default): 1 for the current state, 0 for the others.",
			"host", "state"),
		breakerCalls: desc("breaker_window_calls",
			"Calls counted in the breaker's current window (ignored and rejected calls aside).",
			"host"),
		breakerFailures: desc("breaker_window_failures",
			"Failed calls counted in the breaker's current window.",
			"host"),
		budget: desc("retry_budget_available",
			"Retries the retry budget allows now (+Inf when unlimited, 0 when retries are off)."),
		limit: desc("limit_concurrency",
			"Concurrency limit (fixed or adaptive) of hosts that have one.",
			"host"),
		inFlight: desc("limit_in_flight",
			"Requests holding a concurrency slot, for hosts with a concurrency limit.",
			"host"),
		queueDepth: desc("queue_depth",
			"Requests waiting for a concurrency slot.",
			"host"),
		queueWait: desc("queue_wait_seconds",
			"Time admitted requests waited for a concurrency slot (0 for those admitted at once); requests that gave up waiting are in rejections_total{stage=\"queue\"}.",
			"host"),
		throttle: desc("throttle_reject_probability",
			"Client-side adaptive throttle's probability of refusing a request now (0 without a throttle).",
			"host"),
		adaptiveRate: desc("adaptive_rate_limit",
			"Requests per second the host's adaptive rate admits now, for hosts with one (LimitConfig.AdaptiveRate): +Inf until the host first throttles, then the rate its 429s set.",
			"host"),
		poolConns: desc("pool_connections_total",
			"Connections handed to requests by the stack's own pool, by host (the pool's canonical host:port) and kind (new: a fresh dial, reused).",
			"host", "kind"),
	}
}

func (d *snapshotDescs) describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{d.breakerState, d.breakerCalls, d.breakerFailures, d.budget,
		d.limit, d.inFlight, d.queueDepth, d.queueWait, d.throttle, d.adaptiveRate, d.poolConns} {
		ch <- x
	}
}

// queueWaitBounds are the queue's fixed wait buckets, in seconds.
var queueWaitBounds = func() []float64 {
	var out []float64
	for i := range queue.WaitBuckets {
		if d, ok := queue.WaitBucketBound(i); ok {
			out = append(out, d.Seconds())
		}
	}
	return out
}()

func (d *snapshotDescs) collect(ch chan<- prometheus.Metric, s transport.Snapshot) {
	gauge := func(desc *prometheus.Desc, v float64, lvs ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, lvs...)
	}
	for _, b := range s.Breakers {
		for _, st := range breakerStates {
			v := 0.0
			if b.State == st {
				v = 1
			}
			gauge(d.breakerState, v, b.Name, st.String())
		}
		gauge(d.breakerCalls, float64(b.Calls), b.Name)
		gauge(d.breakerFailures, float64(b.Failures), b.Name)
	}
	gauge(d.budget, s.RetryBudget)
	for _, h := range s.Hosts {
		gauge(d.throttle, h.RejectProbability, h.Host)
		if h.AdaptiveRate != 0 {
			gauge(d.adaptiveRate, h.AdaptiveRate, h.Host)
		}
		if h.Limit == 0 {
			continue // no concurrency limit, so no queue either
		}
		gauge(d.limit, float64(h.Limit), h.Host)
		gauge(d.inFlight, float64(h.InFlight), h.Host)
		gauge(d.queueDepth, float64(h.Queue.Depth), h.Host)
		ch <- queueWaitHistogram(d.queueWait, h)
	}
	if s.Pool != nil {
		for host, hs := range s.Pool.Hosts {
			ch <- prometheus.MustNewConstMetric(d.poolConns, prometheus.CounterValue, float64(hs.New), host, "new")
			ch <- prometheus.MustNewConstMetric(d.poolConns, prometheus.CounterValue, float64(hs.Reused), host, "reused")
		}
	}
}

// queueWaitHistogram turns a queue's wait histogram into a Prometheus one.
// The queue counts the waits of requests that queued; those admitted at
// once waited nothing, and are added to the first bucket, so that the
// quantiles are those of every admitted request's wait.
func queueWaitHistogram(desc *prometheus.Desc, h transport.HostLoad) prometheus.Metric {
	q := h.Queue
	var count uint64
	if q.Admitted > q.Queued {
		count = q.Admitted - q.Queued
	}
	buckets := make(map[float64]uint64, len(queueWaitBounds))
	for i, n := range q.Waits {
		count += n
		if i < len(queueWaitBounds) {
			buckets[queueWaitBounds[i]] = count
		}
	}
	return prometheus.MustNewConstHistogram(desc, count, q.TotalWait.Seconds(), buckets, h.Host)
}
