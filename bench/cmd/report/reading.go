package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/resilient-go/resilient/bench"
	"github.com/resilient-go/resilient/bench/scenario"
)

// The reading of the figures is computed from them, never written ahead:
// behind lists every figure on which a peer did better than one of
// resilient's clients, and notes explains the larger gaps with the
// mechanism behind them, each note only when its figures say so.

func isOurs(c scenario.Client) bool { return strings.HasPrefix(c.Name, "resilient") }

// isPeerOf reports whether c is a peer to hold ours against: another
// library (not the plain baseline), hedging if and only if ours does.
func isPeerOf(c, ours scenario.Client) bool {
	hedged := func(c scenario.Client) bool { return strings.Contains(strings.ToLower(c.Name), "hedge") }
	return !isOurs(c) && c.Name != scenario.Plain().Name && hedged(c) == hedged(ours)
}

// short is a scenario's title up to its first colon or comma.
func short(sc *scenario.Scenario) string {
	if i := strings.IndexAny(sc.Title, ":,"); i > 0 {
		return sc.Title[:i]
	}
	return sc.Title
}

// behindScenario lists, for one scenario, each figure on which the best
// peer beat one of resilient's clients.
func behindScenario(res *scenario.Result) []string {
	sc := res.Scenario
	var out []string
	for i := range res.Clients {
		ours := &res.Clients[i]
		if !isOurs(ours.Client) {
			continue
		}
		var gaps []string
		peers := map[int]bool{} // the peers ahead
		for _, m := range headline(sc) {
			if m.better == 0 {
				continue
			}
			ov := m.of(sc, ours)
			best, bv := -1, math.NaN()
			for j := range res.Clients {
				if !isPeerOf(res.Clients[j].Client, ours.Client) {
					continue
				}
				v := m.of(sc, &res.Clients[j])
				if best < 0 || m.ahead(v, bv) {
					best, bv = j, v
				}
			}
			if best >= 0 && m.ahead(bv, ov) {
				gaps = append(gaps, fmt.Sprintf("%s %s vs %s %s", m.name, m.format(ov), res.Clients[best].Client.Name, m.format(bv)))
				peers[best] = true
			}
		}
		if len(gaps) > 0 {
			line := fmt.Sprintf("**%s**, %s: %s.", short(sc), ours.Client.Name, strings.Join(gaps, "; "))
			for j := range res.Clients {
				if peers[j] {
					line += failsLater(sc, ours, &res.Clients[j])
				}
			}
			out = append(out, line)
		}
	}
	return out
}

// failsLater says, when it is so, that peer's failed calls waited far
// longer than ours to fail (ten times, and 100 ms more): a peer that holds
// every call to its deadline wins the figures that reward waiting (a
// success just after a heal, the time to recover) by failing the others
// later, which is the trade the issue allows.
func failsLater(sc *scenario.Scenario, ours, peer *scenario.ClientResult) string {
	all := scenario.All(sc)
	o, p := ours.Summarize(sc, all...), peer.Summarize(sc, all...)
	of, pf := o.FailedP50(), p.FailedP50()
	if p.OK() == p.Calls || pf < 10*of || pf < of+100*time.Millisecond {
		return ""
	}
	return fmt.Sprintf(" %s's failed calls waited %s (p50) to fail, resilient's %s: it wins these by holding every call to its deadline, "+
		"%.2f attempts per call against %.2f.", peer.Client.Name, dur(float64(pf)), dur(float64(of)), p.AttemptsPerCall(), o.AttemptsPerCall())
}

// behindMicro lists the micro comparisons in which one of resilient's
// cases is slower than the best peer (by more than 5 %, the noise of a
// shared machine).
func behindMicro(ms []bench.Measurement) []string {
	var out []string
	for _, m := range ms {
		for i, c := range m.Comparison.Cases {
			if !c.Ours {
				continue
			}
			var gaps []string
			if r := m.Ratio(m.Seq, i); r > 1.05 {
				b := m.BestPeer(m.Seq)
				gaps = append(gaps, fmt.Sprintf("%.1f ns/op vs %s %.1f ns/op (%.2f×, one goroutine)",
					bench.NsPerOp(m.Seq[i]), m.Comparison.Cases[b].Name, bench.NsPerOp(m.Seq[b]), r))
			}
			for j, p := range m.Procs {
				if r := m.Ratio(m.Par[j], i); r > 1.05 {
					b := m.BestPeer(m.Par[j])
					gaps = append(gaps, fmt.Sprintf("%.1f ns/op vs %s %.1f ns/op (%.2f×, RunParallel -cpu %d)",
						bench.NsPerOp(m.Par[j][i]), m.Comparison.Cases[b].Name, bench.NsPerOp(m.Par[j][b]), r, p))
				}
			}
			if len(gaps) > 0 {
				out = append(out, fmt.Sprintf("**%s**, %s: %s.", m.Comparison.Name, c.Name, strings.Join(gaps, "; ")))
			}
		}
	}
	return out
}

// figures gives the notes easy access to one scenario's numbers.
type figures struct{ res *scenario.Result }

func (f figures) client(name string) *scenario.ClientResult {
	for i := range f.res.Clients {
		if f.res.Clients[i].Client.Name == name {
			return &f.res.Clients[i]
		}
	}
	return nil
}

func (f figures) sum(name string, phases ...string) (scenario.Summary, bool) {
	c := f.client(name)
	if c == nil {
		return scenario.Summary{}, false
	}
	if len(phases) == 0 {
		return c.Summarize(f.res.Scenario, scenario.All(f.res.Scenario)...), true
	}
	return c.Summarize(f.res.Scenario, phaseIndexes(f.res.Scenario, phases...)...), true
}

func (f figures) recovery(name string) (time.Duration, bool) {
	c := f.client(name)
	if c == nil || f.res.Scenario.Healed < 0 {
		return 0, false
	}
	return c.Recovery(f.res.Scenario.PhaseStart(f.res.Scenario.Healed), recoveryWindow, recoveryTarget)
}

// notes explains what the figures of each scenario show, where the
// figures bear the explanation out.
func notes(results []*scenario.Result) []string {
	var out []string
	for _, res := range results {
		f := figures{res}
		switch res.Scenario.Name {
		case "outage":
			out = append(out, outageNotes(f, "outage", "Total outage")...)
		case "refused":
			out = append(out, outageNotes(f, "refused", "Connections refused")...)
		case "longoutage":
			out = append(out, longOutageNotes(f)...)
		case "partial":
			out = append(out, partialNotes(f)...)
		case "brownout":
			out = append(out, brownoutNotes(f)...)
		case "quota":
			out = append(out, quotaNotes(f)...)
		case "overload":
			out = append(out, overloadNotes(f)...)
		case "slowtail":
			out = append(out, slowtailNotes(f)...)
		case "replicas":
			out = append(out, replicasNotes(f)...)
		}
		for _, c := range res.Clients {
			if c.Unclosed > 0 {
				out = append(out, fmt.Sprintf("*%s*: %s dropped %d responses without closing their bodies (retried or abandoned attempts); "+
					"their connections were not reused, and only the end of each caller's context released them.",
					short(res.Scenario), c.Client.Name, c.Unclosed))
			}
		}
	}
	return out
}

// outageNotes reads a short outage whose phase is named phase.
func outageNotes(f figures, phase, label string) []string {
	var out []string
	ours, ok1 := f.sum("resilient", phase)
	rh, ok2 := f.sum("go-retryablehttp", phase)
	after, ok3 := f.sum("resilient", "recovered")
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	if ours.SentPerCall() < 1 && rh.SentPerCall() > 1 {
		out = append(out, fmt.Sprintf("*%s*: resilient sent %.2f attempts per call into the dead backend while it was down (%d requests reached it), "+
			"go-retryablehttp %.2f (%d requests): the retry budget and the breaker keep an outage from multiplying the load. "+
			"(Attempts sent after the heal by calls that waited the outage out are not counted against it: they found the backend back.)",
			label, ours.SentPerCall(), ours.Backend, rh.SentPerCall(), rh.Backend))
	}
	rec, ok := f.recovery("resilient")
	plainRec, okp := f.recovery("plain http.Client")
	if ok && okp && rec > plainRec+100*time.Millisecond && after.Outcomes[scenario.Local] > 0 {
		out = append(out, fmt.Sprintf("*%s*: that protection cost recovery time here. resilient took %s to recover, the plain client %s: "+
			"its breaker was still open when the backend healed, and %d calls of the recovery phase failed fast without being sent. "+
			"The default breaker probes about 300 ms after it trips and backs off 20 %% per failed probe, up to 2 s "+
			"(`breaker.DefaultBreakBackoff()`); calls within reach of the next probe wait for it.",
			label, dur(float64(rec)), dur(float64(plainRec)), after.Outcomes[scenario.Local]))
	}
	if ours.SuccessRate() > rh.SuccessRate()+0.01 {
		out = append(out, fmt.Sprintf("*%s*: resilient saved %s of the outage's calls, go-retryablehttp %s: resilient's calls waited, "+
			"within their deadline, for the breaker's next probe, and went as soon as one found the backend back (p50 %s); "+
			"go-retryablehttp's saved calls are those whose 1 s backoff carried them past the heal (p50 %s).",
			label, pct(ours.SuccessRate()), pct(rh.SuccessRate()), dur(float64(ours.P50)), dur(float64(rh.P50))))
	}
	if rh.SuccessRate() > ours.SuccessRate()+0.01 {
		out = append(out, fmt.Sprintf("*%s*: go-retryablehttp's %s of successes during the outage are calls whose 1 s backoff carried them past the heal, "+
			"at a latency of about their deadline (p50 %s); resilient failed them fast (p50 %s).",
			label, pct(rh.SuccessRate()), dur(float64(rh.P50)), dur(float64(ours.P50))))
	}
	return out
}

// longOutageNotes reads the minute-long outage: past its first 10 s,
// calls should fail at once and the backend hear little.
func longOutageNotes(f figures) []string {
	ours, ok := f.sum("resilient", "outage")
	if !ok {
		return nil
	}
	secs := phaseLength(f.res.Scenario, "outage").Seconds()
	return []string{fmt.Sprintf("*60 s outage*: past its first 10 s, %s of resilient's calls failed in under 10 ms, "+
		"and %.2f requests per second reached the dead backend (%d in %.0f s; the breaker's probes, backing off to one per 2 s, "+
		"and the retry budget's floor): callers are not held to their deadline once the outage has outlasted it.",
		pct(ours.FastFailShare(10*time.Millisecond)), float64(ours.Backend)/secs, ours.Backend, secs)}
}

func partialNotes(f figures) []string {
	var out []string
	ours, ok1 := f.sum("resilient", "30% errors")
	if !ok1 {
		return nil
	}
	for _, peer := range []string{"go-retryablehttp", "failsafe-go"} {
		p, ok := f.sum(peer, "30% errors")
		if !ok || p.SuccessRate() <= ours.SuccessRate()+0.01 {
			continue
		}
		out = append(out, fmt.Sprintf("*Partial failure*: at 30 %% errors %s succeeded for %s of calls, resilient for %s: "+
			"resilient's retry budget (retries at most 20 %% of recent successes) refused retries that this error rate needs, "+
			"and %d callers got the 503. %s made %.2f attempts per call to resilient's %.2f, and paid in latency: p99 %s vs %s.",
			peer, pct(p.SuccessRate()), pct(ours.SuccessRate()), ours.Outcomes[scenario.Status],
			peer, p.AttemptsPerCall(), ours.AttemptsPerCall(), dur(float64(p.P99)), dur(float64(ours.P99))))
		break
	}
	return out
}

func brownoutNotes(f figures) []string {
	ours, ok1 := f.sum("resilient")
	plain, ok2 := f.sum("plain http.Client")
	br, ok3 := f.sum("resilient", "brownout")
	if !ok1 || !ok2 || !ok3 || 2*ours.Intrusions >= plain.Intrusions || br.Outcomes[scenario.Local] == 0 {
		return nil
	}
	return []string{fmt.Sprintf("*Brownout*: while the backend asked to be left alone, resilient sent it %s, the plain client %d: "+
		"the first 429's Retry-After shut the host's pushback gate; its probe, throttled too, showed a server asking for silence, "+
		"so nothing more went until the Retry-After, then one probe. Calls within reach of that probe waited for it "+
		"(success in the brownout %s); %d that were not failed fast without being sent.",
		requests(ours.Intrusions), plain.Intrusions, pct(br.SuccessRate()), br.Outcomes[scenario.Local])}
}

func requests(n int64) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}

func overloadNotes(f figures) []string {
	var out []string
	ours, ok1 := f.sum("resilient", "overload")
	ad, ok2 := f.sum("resilient + adaptive limit", "overload")
	plain, ok3 := f.sum("plain http.Client", "overload")
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	if g := goodputIn("overload"); !g.ahead(ours.Goodput(), plain.Goodput()) && !g.ahead(plain.Goodput(), ours.Goodput()) {
		out = append(out, fmt.Sprintf("*Overload*: with its defaults resilient does nothing against overload (no concurrency limit is on by default: "+
			"only the user knows the backend's capacity), so it fares as the plain client: goodput %s vs %s, p99 %s vs %s.",
			perSecond(ours.Goodput()), perSecond(plain.Goodput()), dur(float64(ours.P99)), dur(float64(plain.P99))))
	}
	out = append(out, fmt.Sprintf("*Overload*: with the adaptive limit of docs/overload.md resilient had a goodput of %s (the plain client %s) "+
		"at a p99 of %s (%s), shedding %d calls fast, unsent.",
		perSecond(ad.Goodput()), perSecond(plain.Goodput()), dur(float64(ad.P99)), dur(float64(plain.P99)), ad.Outcomes[scenario.Local]))
	if fs, ok := f.sum("failsafe-go", "recovered"); ok && fs.SuccessRate() < 0.5 && 2*fs.Backend < int64(fs.Calls) {
		out = append(out, fmt.Sprintf("*Overload*: failsafe-go's breaker counted the callers' deadline errors as failures and opened; "+
			"%d requests reached the backend in the recovery phase and %s of its calls succeeded there.",
			fs.Backend, pct(fs.SuccessRate())))
	}
	return out
}

func slowtailNotes(f figures) []string {
	var out []string
	plain, ok1 := f.sum("plain http.Client")
	oh, ok2 := f.sum("resilient + Hedge")
	fh, ok3 := f.sum("failsafe-go + hedge")
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	out = append(out, fmt.Sprintf("*Slow tail*: without hedging every client's p99 is the slow requests' (plain %s); "+
		"hedging cut it to %s (resilient + Hedge, %.1f %% more requests) and %s (failsafe-go + hedge, %.1f %% more).",
		dur(float64(plain.P99)), dur(float64(oh.P99)), 100*(oh.AttemptsPerCall()-1), dur(float64(fh.P99)), 100*(fh.AttemptsPerCall()-1)))
	if oh.P99 > fh.P99+2*time.Millisecond {
		out = append(out, fmt.Sprintf("*Slow tail*: resilient's hedge is behind failsafe-go's here: p99 %s vs %s, "+
			"at %.2f vs %.2f attempts per call. Both were set to hedge after about 10 ms (resilient: the p95 of recent calls, "+
			"at least 10 ms; failsafe-go: a fixed 10 ms); this run does not tell where resilient's extra milliseconds go.",
			dur(float64(oh.P99)), dur(float64(fh.P99)), oh.AttemptsPerCall(), fh.AttemptsPerCall()))
	}
	return out
}

// microNotes explains the micro comparisons in which resilient is behind,
// where the other cases of the same run show why.
func microNotes(ms []bench.Measurement) []string {
	find := func(m bench.Measurement, prefix string) int {
		for i, c := range m.Comparison.Cases {
			if strings.HasPrefix(c.Name, prefix) {
				return i
			}
		}
		return -1
	}
	var out []string
	for _, m := range ms {
		switch {
		case strings.HasPrefix(m.Comparison.Name, "retry + breaker + rate limiter"):
			lean, full := find(m, "resilient New: "), find(m, "resilient New, defaults")
			if lean < 0 || full < 0 || m.Ratio(m.Seq, full) <= 1.05 || m.Ratio(m.Seq, lean) >= 1 {
				continue
			}
			b := m.BestPeer(m.Seq)
			out = append(out, fmt.Sprintf("*Cost per call*: resilient's full default stack (%.0f ns/op, %d allocs/op) costs more than %s (%.0f ns/op, %d allocs/op): "+
				"the difference is its two deadlines, a total and a per-attempt timeout, each a context and a timer per call, which no peer case sets. "+
				"Without them (`Timeout.TotalOff`, `Timeout.AttemptOff`) the same retry + breaker + rate limit stack costs %.0f ns/op and %d allocs/op, %.2f× the best peer.",
				bench.NsPerOp(m.Seq[full]), m.Seq[full].AllocsPerOp(), m.Comparison.Cases[b].Name, bench.NsPerOp(m.Seq[b]), m.Seq[b].AllocsPerOp(),
				bench.NsPerOp(m.Seq[lean]), m.Seq[lean].AllocsPerOp(), m.Ratio(m.Seq, lean)))
		case strings.HasPrefix(m.Comparison.Name, "rate limit decision"):
			ours, xrate := find(m, "resilient limiter.Rate"), find(m, "x/time/rate")
			if ours < 0 || xrate < 0 || m.Ratio(m.Seq, ours) <= 1.05 {
				continue
			}
			b := m.BestPeer(m.Seq)
			out = append(out, fmt.Sprintf("*Cost per call*: resilient's rate limiter is x/time/rate underneath (%.0f ns/op here, ours %.0f ns/op with its per-host lookup "+
				"and pushback check); %s is faster (%.0f ns/op) with a simpler algorithm, a fixed number of permits per period rather than a token bucket. "+
				"No rate limit is on resilient's default path.",
				bench.NsPerOp(m.Seq[xrate]), bench.NsPerOp(m.Seq[ours]), m.Comparison.Cases[b].Name, bench.NsPerOp(m.Seq[b])))
		}
	}
	return out
}

func replicasNotes(f figures) []string {
	sc := f.res.Scenario
	rot, ok1 := f.sum(scenario.ResilientRotation().Name, "degraded")
	rr, ok2 := f.sum(scenario.ResilientRoundRobin().Name, "degraded")
	pe, ok3 := f.sum(scenario.ResilientPeakEWMA().Name, "degraded")
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	var out []string
	bad := sc.Faulty
	if pe.Share(bad) < rr.Share(bad) && pe.Share(bad) < rot.Share(bad) {
		out = append(out, fmt.Sprintf("*Replicas*: while replica %d was degraded, the naive rotation kept sending it %s of the requests "+
			"(success %s, p99 %s): the stack's one breaker sees the whole service, whose failure rate stays under its threshold, "+
			"and the retry budget runs out on the failures. Round robin over the replicas sent it %s (success %s, p99 %s): "+
			"a retry goes to another replica and the replica's own breaker opens once half its calls fail, "+
			"but until then its share of the calls meets its 503s and its slow answers. "+
			"Peak EWMA with ejection sent it %s (success %s, p99 %s): five failures in a row (the default) ejected it for 30 s, "+
			"and the few calls it had meanwhile were retried elsewhere.",
			bad+1, pct(rot.Share(bad)), pct(rot.SuccessRate()), dur(float64(rot.P99)),
			pct(rr.Share(bad)), pct(rr.SuccessRate()), dur(float64(rr.P99)),
			pct(pe.Share(bad)), pct(pe.SuccessRate()), dur(float64(pe.P99))))
	}
	after, ok := f.sum(scenario.ResilientPeakEWMA().Name, "recovered")
	rrAfter, ok2 := f.sum(scenario.ResilientRoundRobin().Name, "recovered")
	if ok && ok2 && after.Share(bad) < 0.1 && rrAfter.Share(bad) < 0.1 {
		out = append(out, fmt.Sprintf("*Replicas*: once replica %d recovered, Peak EWMA sent it %s of the requests, round robin %s: "+
			"an ejection lasts 30 s by default (Envoy's base) and a breaker's break 5 s, both longer than this run's %s of recovery, "+
			"so a replica taken out stays out until it ends; shorten `Balance.Outlier.BaseEjection` where replicas come back quickly.",
			bad+1, pct(after.Share(bad)), pct(rrAfter.Share(bad)), dur(float64(sc.Phases[phaseIndexes(sc, "recovered")[0]].Duration))))
	}
	return out
}

func quotaNotes(f figures) []string {
	ours, ok1 := f.sum("resilient", "quota")
	plain, ok2 := f.sum("plain http.Client", "quota")
	rh, ok3 := f.sum("go-retryablehttp", "quota")
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	return []string{fmt.Sprintf("*Quota*: offered three times the quota, resilient's calls got %s/s through (the plain client %s/s, go-retryablehttp %s/s) "+
		"with %d requests answered 429 (plain %d, go-retryablehttp %d): its pushback gate found a quota (the probe after a tenth of the "+
		"Retry-After was served) and the host's adaptive rate followed it, while calls that could not get a turn before their deadline "+
		"failed at once (p50 of all calls %s; go-retryablehttp %s).",
		fmt.Sprintf("%.0f", ours.Goodput()), fmt.Sprintf("%.0f", plain.Goodput()), fmt.Sprintf("%.0f", rh.Goodput()),
		ours.Throttled, plain.Throttled, rh.Throttled, dur(float64(ours.P50)), dur(float64(rh.P50)))}
}

// phaseLength is the length of the phase named name.
func phaseLength(sc *scenario.Scenario, name string) time.Duration {
	return sc.Phases[phaseIndexes(sc, name)[0]].Duration
}
