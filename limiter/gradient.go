package limiter

import (
	"math"
	"slices"
)

// maxSamples bounds the latencies kept per interval: beyond it, a uniform
// sample of them is kept (reservoir sampling), so memory and the cost of
// the percentile stay bounded whatever the call rate.
const maxSamples = 256

// gradient is the state of the Gradient algorithm, guarded by
// Concurrency.mu. It follows Envoy's gradient controller
// (source/extensions/filters/http/adaptive_concurrency/controller/
// gradient_controller.cc), driven by Done calls instead of timers:
//
//   - minRTT measurement: the limit is pinned to MinRTTLimit until
//     MinRTTSamples calls admitted since have succeeded; minRTT is their
//     Percentile; then the limit returns to its value before the
//     measurement. It starts at NewConcurrency, then MinRTTInterval (plus
//     up to 15 % jitter) after the end of the previous one, and at once
//     when the limit has been set to MinLimit five intervals in a row (a
//     sign of a stale minRTT). Calls admitted before a measurement began
//     are not sampled, during it or after.
//
//   - every Interval, at the first Done after it: sampleRTT is the
//     Percentile of the successes' latencies of the interval, and
//
//     gradient = clamp(minRTT·(1+Buffer) / sampleRTT, 0.5, 2)
//     limit    = ⌊gradient·limit + √(gradient·limit)⌋
//
//     then, if the interval had a Dropped call, limit is at most
//     min(limit−1, ⌊limit·BackoffRatio⌋) (Envoy ignores outcomes; a
//     refusal is an overload signal this package does not); if fewer
//     than half the limit were ever in flight, the limit does not grow (it
//     was not in use, as Netflix's limits check); and it is brought
//     within [MinLimit, MaxLimit].
//
// At equilibrium under load, with a destination whose latency grows in
// proportion to concurrency beyond its capacity C, the limit settles
// where gradient·limit + √(gradient·limit) = limit, about
// (1+Buffer)·C + √((1+Buffer)·C): 30 for C = 20 with the defaults.
type gradient struct {
	// Read-only after init.
	interval   int64 // nanoseconds
	every      int64 // minRTT interval, nanoseconds
	pct        float64
	buffer     float64
	minSamples int
	pin        int
	rand       func() float64

	measuring   bool
	deferred    int   // the limit to restore after the measurement
	minRTT      int64 // nanoseconds
	next        int64 // when the next measurement is due
	windowStart int64
	samples     []int64 // latencies, a reservoir of at most maxSamples
	seen        int     // latencies offered since windowStart
	drops       int
	maxInFlight int
	atMin       int // consecutive intervals that set the limit to MinLimit
}

func (g *gradient) init(c ConcurrencyConfig, rnd func() float64) {
	g.interval = int64(c.Gradient.Interval)
	g.every = int64(c.Gradient.MinRTTInterval)
	g.pct = c.Gradient.Percentile
	g.buffer = c.Gradient.Buffer
	g.minSamples = c.Gradient.MinRTTSamples
	g.pin = c.Gradient.MinRTTLimit
	g.rand = rnd
	g.samples = make([]int64, 0, maxSamples)
}

// startMeasuring starts a minRTT measurement at now and reports whether
// the limit changed. Requires x.mu held (or x not yet shared).
func (g *gradient) startMeasuring(x *Concurrency, now int64) bool {
	g.measuring = true
	g.deferred = int(x.limit.Load())
	g.atMin = 0
	g.reset(now)
	x.gen.Add(1)
	return x.setLimit(g.pin)
}

// reset starts a new interval at now.
func (g *gradient) reset(now int64) {
	g.windowStart = now
	g.samples = g.samples[:0]
	g.seen, g.drops, g.maxInFlight = 0, 0, 0
}

// add offers a latency to the reservoir.
func (g *gradient) add(rtt int64) {
	g.seen++
	if len(g.samples) < cap(g.samples) {
		g.samples = append(g.samples, rtt)
		return
	}
	if j := int(g.rand() * float64(g.seen)); j < len(g.samples) {
		g.samples[j] = rtt
	}
}

// percentile returns the Percentile of the samples (nearest rank), which
// must not be empty. It sorts them in place.
func (g *gradient) percentile() int64 {
	slices.Sort(g.samples)
	n := len(g.samples)
	i := int(math.Ceil(g.pct*float64(n))) - 1
	return g.samples[min(max(i, 0), n-1)]
}

// sample records the outcome of the call of t, done at now, and reports
// whether the limit changed. Requires x.mu held.
func (g *gradient) sample(x *Concurrency, now int64, t Token, o Outcome) bool {
	if t.gen != x.gen.Load() {
		return false // admitted before the current minRTT measurement began
	}
	if g.measuring {
		if o != Success {
			return false
		}
		g.add(now - t.start)
		if g.seen < g.minSamples {
			return false
		}
		g.minRTT = g.percentile()
		g.measuring = false
		g.next = now + g.every + int64(g.rand()*minRTTJitter*float64(g.every))
		g.reset(now)
		return x.setLimit(g.deferred)
	}
	if now >= g.next {
		return g.startMeasuring(x, now)
	}
	if o == Dropped {
		g.drops++
	} else {
		g.add(now - t.start)
	}
	g.maxInFlight = max(g.maxInFlight, int(t.inFlight))
	if now-g.windowStart < g.interval {
		return false
	}
	return g.update(x, now)
}

// update ends the interval at now: it computes the new limit and starts
// the next interval. Requires x.mu held.
func (g *gradient) update(x *Concurrency, now int64) bool {
	lim := int(x.limit.Load())
	n := lim
	if len(g.samples) > 0 {
		grad := 2.0
		if s := g.percentile(); s > 0 {
			grad = min(max(float64(g.minRTT)*(1+g.buffer)/float64(s), 0.5), 2)
		}
		l := grad * float64(lim)
		n = int(l + math.Sqrt(l))
	}
	if g.drops > 0 {
		n = min(n, lim-1, int(float64(lim)*x.ratio))
	}
	if n > lim && 2*g.maxInFlight < lim {
		n = lim // not in use: no evidence that more would do
	}
	changed := x.setLimit(n)
	if x.Limit() == x.minLimit && lim == x.minLimit {
		if g.atMin++; g.atMin >= 5 {
			g.next = now // measure minRTT again at the next Done
		}
	} else {
		g.atMin = 0
	}
	g.reset(now)
	return changed
}
