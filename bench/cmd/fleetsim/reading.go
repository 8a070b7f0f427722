package main

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/bench/fleetsim"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// The reading of the figures is computed from them, never written ahead:
// behind lists every figure on which a peer did better than resilient,
// and notes explains what the figures show, each note only when its
// figures bear it out.

// isPeer says whether a kind is one to hold resilient against: another
// library, not the plain baseline.
func (r *report) isPeer(name string) bool {
	return name != r.ours() && name != fleetsim.Plain().Name
}

// behind lists, per trigger and fleet size, each figure on which the best
// peer beat resilient.
func (r *report) behind() []string {
	var out []string
	for _, trig := range fleetsim.Triggers() {
		for _, f := range r.fleets {
			ours := f.result(trig, r.ours())
			if ours == nil {
				continue
			}
			var gaps []string
			for _, m := range metrics {
				if m.dir == 0 {
					continue
				}
				var best *fleetsim.Result
				for _, res := range f.runs[trig] {
					if r.isPeer(res.Kind) && (best == nil || m.ahead(m.of(res.Summary), m.of(best.Summary))) {
						best = res
					}
				}
				if best != nil && m.ahead(m.of(best.Summary), m.of(ours.Summary)) {
					gaps = append(gaps, fmt.Sprintf("%s %s vs %s %s", m.name,
						strings.Trim(m.show(ours.Summary), "*"), best.Kind, strings.Trim(m.show(best.Summary), "*")))
				}
			}
			if len(gaps) > 0 {
				out = append(out, fmt.Sprintf("**%s**, %s clients: %s.", trig, thousands(f.n), strings.Join(gaps, "; ")))
			}
		}
	}
	return out
}

// notes explains the figures, each note only when they bear it out.
func (r *report) notes() []string {
	var out []string
	for _, f := range r.fleets {
		out = append(out, r.outageNotes(f)...)
		out = append(out, r.pushbackNotes(f)...)
	}
	out = append(out, r.wasteNotes()...)
	out = append(out, r.twinNotes()...)
	out = append(out, r.recoveryNotes()...)
	return out
}

// outageNotes: the retry budget's floor and the per-client breaker, at
// fleet scale.
func (r *report) outageNotes(f *fleet) []string {
	ours, plain := f.result(fleetsim.Outage, r.ours()), f.result(fleetsim.Outage, fleetsim.Plain().Name)
	if ours == nil || plain == nil {
		return nil
	}
	var out []string
	s := ours.Summary
	perClient := f.cfg.Rate() / float64(f.n)
	bud := backoff.DefaultBudgetConfig()
	if s.TriggerLoad > targetPeakLoad && !bud.NoFloor {
		out = append(out, fmt.Sprintf("*Outage, %s clients*: resilient's fleet sent the dead backend %.2f requests per call (%.2f× in its worst second). "+
			"Each client's retry budget (`backoff.DefaultBudgetConfig()`) holds %g tokens, and failed retries in a row cost 1, 1, 2, 4, 8 … of them "+
			"(`Budget.Failed`), so a client stops after about five and then retries once per %g s of its floor: the load falls back to the calls' own "+
			"after the outage's first seconds. But each client decides alone, from its own few calls (%.2g a second here): its first failing "+
			"call cannot tell the fleet's outage from a random error of its own, and retries up to %d attempts (`MaxAttempts`) within its deadline, "+
			"which is the worst second. Only a budget shared by the fleet (a nested module such as `fleet/`) could hold that second near 1×.",
			thousands(f.n), s.TriggerLoad, s.PeakLoad, bud.MaxTokens, (bud.MaxTokens+1)/bud.MinPerSecond, perClient,
			transport.DefaultRetryConfig().MaxAttempts))
	}
	bc := breaker.DefaultConfig()
	inWindow := perClient * bc.Window.Period.Seconds()
	ps := plain.Summary
	if s.AfterUnsent > 0 && s.Recovery > ps.Recovery+time.Second {
		out = append(out, fmt.Sprintf("*Outage, %s clients*: resilient recovered %s after the outage, the plain client %s: "+
			"%d calls started after it failed fast without being sent. Each client sees about %.1f calls in its breaker's %s window, "+
			"%s the %d the breaker needs before it may trip; the outage's retries (up to %d attempts a call) take a window past it, "+
			"and a breaker that trips waits its break (%s) before a probe, whether the backend is back or not.",
			thousands(f.n), secs(s.Recovery), secs(ps.Recovery), s.AfterUnsent, inWindow, secs(bc.Window.Period),
			belowAbove(inWindow, float64(bc.MinThroughput)), bc.MinThroughput, transport.DefaultRetryConfig().MaxAttempts, breakText(bc)))
	} else if inWindow < float64(bc.MinThroughput)/float64(transport.DefaultRetryConfig().MaxAttempts) && s.AfterUnsent == 0 {
		out = append(out, fmt.Sprintf("*Outage, %s clients*: each client sees about %.1f calls in its breaker's %s window, too few to reach "+
			"the %d its breaker needs before it may trip, even at %d attempts a call: at this fleet size no breaker opened, "+
			"and none could spare the backend.", thousands(f.n), inWindow, secs(bc.Window.Period), bc.MinThroughput, transport.DefaultRetryConfig().MaxAttempts))
	}
	return out
}

// breakText says how long a default breaker stays open before a probe.
func breakText(bc breaker.Config) string {
	if bc.BreakDuration > 0 {
		return secs(bc.BreakDuration)
	}
	return fmt.Sprintf("about %s at first, growing while probes fail", secs(bc.BreakBackoff.Backoff(0).Round(100*time.Millisecond)))
}

func belowAbove(v, limit float64) string {
	if v < limit {
		return "below"
	}
	return "above"
}

// pushbackNotes: a full queue's Retry-After pauses each client's host.
func (r *report) pushbackNotes(f *fleet) []string {
	ours := f.result(fleetsim.CapacityHalves, r.ours())
	if ours == nil {
		return nil
	}
	s := ours.Summary
	if s.TriggerUnsent == 0 || s.TriggerLoad >= 1 {
		return nil
	}
	return []string{fmt.Sprintf("*Capacity halves, %s clients*: resilient sent %.2f requests per call offered: a full queue's 503 "+
		"with `Retry-After: %d` paused that client's host, and %d calls of the trigger failed fast without being sent (%s of the trigger's calls "+
		"succeeded, against %s for the plain client).",
		thousands(f.n), s.TriggerLoad, int(f.cfg.RetryAfter/time.Second), s.TriggerUnsent, pct(s.TriggerGoodput),
		pct(f.result(fleetsim.CapacityHalves, fleetsim.Plain().Name).Summary.TriggerGoodput))}
}

// wasteNotes: the backend's FIFO queue wastes about as much for every
// kind; one note for every fleet and trigger where resilient misses the
// target and the kinds are within 10 points of each other.
func (r *report) wasteNotes() []string {
	var parts []string
	for _, trig := range []fleetsim.Trigger{fleetsim.CapacityHalves, fleetsim.LatencyTenfold} {
		for _, f := range r.fleets {
			ours := f.result(trig, r.ours())
			if ours == nil || ours.Summary.Wasted <= targetWasted {
				continue
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, res := range f.runs[trig] {
				lo, hi = min(lo, res.Summary.Wasted), max(hi, res.Summary.Wasted)
			}
			if hi-lo <= 0.1 {
				parts = append(parts, fmt.Sprintf("%s, %s clients: %.0f–%.0f %%", trig, thousands(f.n), 100*lo, 100*hi))
			}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("*Wasted work*: every kind wasted about as much of the backend's work (%s). The backend's FIFO queue "+
		"grew past the callers' deadlines and served requests whose callers had given up. A client cuts that waste only by keeping "+
		"its requests out of the queue while latency is high, which is what an adaptive concurrency limit does (opt-in in resilient, "+
		"docs/overload.md); the defaults' pushback pause starts only once the queue is full.", strings.Join(parts, "; "))}
}

// twinNotes: two peers whose fleets did the very same thing.
func (r *report) twinNotes() []string {
	var out []string
	rh, fs := fleetsim.RetryableHTTP().Name, fleetsim.Failsafe().Name
	for _, f := range r.fleets {
		var same []string
		for _, trig := range fleetsim.Triggers() {
			a, b := f.result(trig, rh), f.result(trig, fs)
			if a != nil && b != nil && reflect.DeepEqual(a.Seconds, b.Seconds) && b.Summary.TriggerUnsent+b.Summary.AfterUnsent == 0 {
				same = append(same, trig.String())
			}
		}
		if len(same) > 0 {
			out = append(out, fmt.Sprintf("*%s clients*: %s's and %s's fleets made the very same requests, second by second (%s): "+
				"both wait 1 s, then 2 s, or the Retry-After, before a retry, and no %s breaker opened (no call failed unsent).",
				thousands(f.n), rh, fs, strings.Join(same, "; "), fs))
		}
	}
	return out
}

// recoveryNotes: which fleets stayed down, and for how long.
func (r *report) recoveryNotes() []string {
	var down []string
	slowest, slowestAt := time.Duration(-1), ""
	for _, trig := range fleetsim.Triggers() {
		for _, f := range r.fleets {
			for _, res := range f.runs[trig] {
				s := res.Summary
				if !s.Recovered {
					down = append(down, fmt.Sprintf("%s (%s clients, %s: still down %s after the trigger, when the run ended)",
						res.Kind, thousands(f.n), trig, secs(s.Recovery)))
				} else if s.Recovery > slowest {
					slowest, slowestAt = s.Recovery, fmt.Sprintf("%s's (%s clients, %s)", res.Kind, thousands(f.n), trig)
				}
			}
		}
	}
	if len(down) > 0 {
		slices.Sort(down)
		return []string{"*Metastable*: these fleets did not recover on their own: " + strings.Join(down, "; ") + "."}
	}
	if slowest < 0 {
		return nil
	}
	return []string{fmt.Sprintf("*Recovery*: every fleet recovered on its own; the slowest was %s, %s after the trigger's end. "+
		"None stayed down: in this model a call's retries end with its deadline (%s–%s), and a rejection costs the backend "+
		"nothing, so once the trigger is over the retries cannot keep its queue full.", slowestAt, secs(slowest),
		secs(r.fleets[0].cfg.DeadlineMin), secs(r.fleets[0].cfg.DeadlineMax))}
}
