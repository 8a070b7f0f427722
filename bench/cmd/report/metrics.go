package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/resilient-go/resilient/bench/scenario"
)

// recoveryWindow and recoveryTarget define time to recover: from the
// moment the backend heals, until the first window of calls (by start)
// of which recoveryTarget succeeded.
const (
	recoveryWindow = 250 * time.Millisecond
	recoveryTarget = 0.95
)

// metric is one column of a scenario's headline table, and one figure
// the reading compares between resilient and its peers.
type metric struct {
	name string
	// phases are the phases summed up (by name); none means all.
	phases []string
	// value reads the figure; NaN means none (never recovered...).
	value  func(r *scenario.ClientResult, s scenario.Summary) float64
	format func(float64) string
	// better is +1 when more is better, -1 when less is, 0 when the
	// figure is context, not a score.
	better int
	// abs and rel: a difference must exceed both to count.
	abs, rel float64
}

func (m metric) summary(sc *scenario.Scenario, r *scenario.ClientResult) scenario.Summary {
	if len(m.phases) == 0 {
		return r.Summarize(sc, scenario.All(sc)...)
	}
	return r.Summarize(sc, phaseIndexes(sc, m.phases...)...)
}

func (m metric) of(sc *scenario.Scenario, r *scenario.ClientResult) float64 {
	return m.value(r, m.summary(sc, r))
}

// ahead reports whether a is better than b by more than the metric's
// tolerance. NaN (none) is worse than any figure.
func (m metric) ahead(a, b float64) bool {
	switch {
	case m.better == 0 || math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	}
	d := (a - b) * float64(m.better)
	return d > m.abs && d > m.rel*math.Abs(b)
}

func phaseIndexes(sc *scenario.Scenario, names ...string) []int {
	var out []int
	for i, p := range sc.Phases {
		if slices.Contains(names, p.Name) {
			out = append(out, i)
		}
	}
	if len(out) != len(names) {
		panic(fmt.Sprintf("report: scenario %s has no phase among %v", sc.Name, names))
	}
	return out
}

// The figures, as metric building blocks.

func successIn(phases ...string) metric {
	return metric{name: strings.TrimSpace("success " + in(phases)), phases: phases, better: +1, abs: 0.02, format: pct,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return s.SuccessRate() }}
}

func attemptsIn(phases ...string) metric {
	return metric{name: strings.TrimSpace("attempts/call " + in(phases)), phases: phases, better: -1, abs: 0.03, rel: 0.03, format: ratio2,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return s.AttemptsPerCall() }}
}

// sentIn is the attempts sent while the phases lasted, per call started
// in them: in an outage, the load on the dead backend. (attemptsIn counts
// the attempts of the calls started in the phases, and so charges an
// outage with the attempts that calls which waited it out made after it.)
func sentIn(phases ...string) metric {
	return metric{name: strings.TrimSpace("attempts sent/call " + in(phases)), phases: phases, better: -1, abs: 0.03, rel: 0.03, format: ratio2,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return s.SentPerCall() }}
}

func backendIn(phases ...string) metric {
	return metric{name: "backend requests " + in(phases), phases: phases, better: -1, abs: 5, rel: 0.1, format: count,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return float64(s.Backend) }}
}

func latencyIn(q string, phases ...string) metric {
	m := metric{name: strings.TrimSpace(q + " " + in(phases)), phases: phases, better: -1, abs: float64(2 * time.Millisecond), rel: 0.1, format: dur}
	m.value = func(_ *scenario.ClientResult, s scenario.Summary) float64 {
		switch q {
		case "p50":
			return float64(s.P50)
		case "p99":
			return float64(s.P99)
		case "p99.9":
			return float64(s.P999)
		}
		return float64(s.Max)
	}
	return m
}

func goodputIn(phases ...string) metric {
	return metric{name: "goodput " + in(phases), phases: phases, better: +1, abs: 5, rel: 0.1, format: perSecond,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return s.Goodput() }}
}

func throttledIn(phases ...string) metric {
	return metric{name: "requests answered 429 " + in(phases), phases: phases, better: -1, abs: 5, rel: 0.1, format: count,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return float64(s.Throttled) }}
}

// throttledShareIn is the share of the requests that reached the
// backend that it answered 429.
func throttledShareIn(phases ...string) metric {
	return metric{name: "share of requests answered 429 " + in(phases), phases: phases, better: -1, abs: 0.005, rel: 0.1, format: pct,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 {
			return float64(s.Throttled) / float64(max(s.Backend, 1))
		}}
}

func intrusions() metric {
	return metric{name: "requests sent while asked to stay away", better: -1, abs: 2, rel: 0.1, format: count,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return float64(s.Intrusions) }}
}

func recovery(sc *scenario.Scenario) metric {
	from := sc.PhaseStart(sc.Healed)
	return metric{name: "time to recover", better: -1, abs: float64(100 * time.Millisecond), rel: 0.1, format: dur,
		value: func(r *scenario.ClientResult, _ scenario.Summary) float64 {
			d, ok := r.Recovery(from, recoveryWindow, recoveryTarget)
			if !ok {
				return math.NaN()
			}
			return float64(d)
		}}
}

// fastFailIn is the share of calls that failed in under 10 ms.
func fastFailIn(phases ...string) metric {
	return metric{name: "failed in under 10 ms " + in(phases), phases: phases, better: +1, abs: 0.02, format: pct,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 {
			return s.FastFailShare(10 * time.Millisecond)
		}}
}

// backendRateIn is the requests per second that reached the backend.
func backendRateIn(phases ...string) metric {
	return metric{name: "backend requests/s " + in(phases), phases: phases, better: -1, abs: 0.5, rel: 0.1, format: ratio2,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return float64(s.Backend) / s.Seconds }}
}

func unclosed() metric {
	return metric{name: "response bodies left unclosed", better: -1, format: count,
		value: func(r *scenario.ClientResult, _ scenario.Summary) float64 { return float64(r.Unclosed) }}
}

// shareIn is the share of the requests that reached the faulty replica.
func shareIn(sc *scenario.Scenario, phases ...string) metric {
	return metric{name: fmt.Sprintf("replica %d's share %s", sc.Faulty+1, in(phases)), phases: phases, better: -1, abs: 0.02, rel: 0.1, format: pct,
		value: func(_ *scenario.ClientResult, s scenario.Summary) float64 { return s.Share(sc.Faulty) }}
}

func in(phases []string) string {
	if len(phases) == 0 {
		return ""
	}
	return "(" + strings.Join(phases, ", ") + ")"
}

// headline is each scenario's table: the figures that answer its
// question.
func headline(sc *scenario.Scenario) []metric {
	switch sc.Name {
	case "outage":
		return []metric{sentIn("outage"), backendIn("outage"), successIn("outage"), latencyIn("p50", "outage"),
			recovery(sc), successIn("recovered"), unclosed()}
	case "refused":
		return []metric{sentIn("refused"), successIn("refused"), latencyIn("p50", "refused"),
			recovery(sc), successIn("recovered"), unclosed()}
	case "longoutage":
		return []metric{fastFailIn("outage"), backendRateIn("outage"), sentIn("outage"), successIn("outage start"),
			recovery(sc), successIn("recovered")}
	case "partial":
		return []metric{successIn("10% errors"), attemptsIn("10% errors"), latencyIn("p99", "10% errors"),
			successIn("30% errors"), attemptsIn("30% errors"), latencyIn("p99", "30% errors"), unclosed()}
	case "brownout":
		return []metric{intrusions(), backendIn("brownout"), successIn("brownout"), successIn("after"), recovery(sc), unclosed()}
	case "quota":
		return []metric{goodputIn("quota"), successIn("quota"), throttledIn("quota"), backendIn("quota"),
			latencyIn("p50", "quota"), latencyIn("p99", "quota"), successIn("after")}
	case "quotaclosed":
		return []metric{successIn("quota"), throttledShareIn("quota"), goodputIn("quota"), latencyIn("p50", "quota"),
			latencyIn("p99", "quota"), successIn("after")}
	case "overload":
		load := backendIn("overload")
		load.better = 0 // fewer requests is no merit under overload: goodput is
		return []metric{goodputIn("overload"), successIn("overload"), latencyIn("p50", "overload"), latencyIn("p99", "overload"),
			load, recovery(sc), successIn("recovered")}
	case "slowtail":
		return []metric{latencyIn("p50"), latencyIn("p99"), latencyIn("p99.9"), attemptsIn()}
	case "replicas":
		return []metric{successIn("degraded"), latencyIn("p50", "degraded"), latencyIn("p99", "degraded"), shareIn(sc, "degraded"),
			attemptsIn("degraded"), successIn("recovered"), shareIn(sc, "recovered")}
	}
	return []metric{successIn(), attemptsIn(), latencyIn("p99")}
}

// Formats.

func pct(v float64) string    { return fmt.Sprintf("%.1f %%", 100*v) }
func ratio2(v float64) string { return fmt.Sprintf("%.2f", v) }
func count(v float64) string  { return fmt.Sprintf("%.0f", v) }

func perSecond(v float64) string { return fmt.Sprintf("%.0f/s", v) }

func dur(v float64) string {
	if math.IsNaN(v) {
		return "not within the run"
	}
	d := time.Duration(v)
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}
