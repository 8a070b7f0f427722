package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Time to recover: from the moment the backend heals, how long until
// recoveryTarget of the calls started within a sliding window of
// recoveryWindow phase units succeed; and until they succeed fast, within
// fastCall, as they did before the incident.
const (
	recoveryTarget = 0.95
	recoveryWindow = 0.25
	fastCall       = 5 * serviceTime
)

// result is one client's figures: a summary per phase, then the total,
// and its times to recover (negative: not within the run).
type result struct {
	phases                 []summary
	recovery, recoveryFast time.Duration
}

func (r result) total() summary { return r.phases[len(r.phases)-1] }

// printHeader says what the demo is about to do.
func printHeader(w io.Writer, cfg config) {
	fmt.Fprintf(w, "Each client has its own loopback backend: %d requests served at a time, %v–%v each, so about %.0f requests/s;\n",
		cfg.workers(), serviceMin, serviceMax, cfg.capacity())
	fmt.Fprintf(w, "requests beyond %d wait in the server's queue. The same open-loop calls go through each client, each with a %v deadline:\n",
		cfg.workers(), cfg.timeout)
	for _, p := range phases {
		rate := p.load * cfg.capacity()
		fmt.Fprintf(w, "  %-10s %5v  %4.0f calls/s (%3.0f%% of capacity)", p.name, p.length(cfg.phase), rate, 100*p.load)
		switch {
		case p.outage:
			fmt.Fprint(w, ", every request answered 503")
		case p.quota:
			fmt.Fprintf(w, ", a quota of %.0f requests/s, the rest answered 429 + Retry-After: 1", quotaShare*rate)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, `plain: an http.Client. naive retry: 3 attempts, 100ms exponential backoff, no budget, Retry-After ignored.
resilient: transport.New(transport.Config{}), the defaults as they are: calls wait within their deadline for
  the breaker's next probe or the server's quota rather than fail, retries are paid for by the ones that fail.
All three use the same connection pool, so only the resilience layer differs.

`)
}

// report prints the table, per phase and in total, of each client's
// figures, its times to recover and a legend; it returns the same figures
// by client name.
func report(w io.Writer, cfg config, contenders []*contender) map[string]result {
	results := make(map[string]result)
	all := make([]int, len(phases))
	for i := range phases {
		all[i] = i
	}
	starts, _ := phaseStarts(cfg.phase)
	heal, window := starts[healed], time.Duration(recoveryWindow*float64(cfg.phase))
	fast := func(c callRecord) bool { return c.ok() && c.latency <= fastCall }
	for _, c := range contenders {
		reached, throttled := c.backend.requests()
		var r result
		for i := range phases {
			r.phases = append(r.phases, c.calls.summarize([]int{i}, reached, throttled))
		}
		r.phases = append(r.phases, c.calls.summarize(all, reached, throttled))
		r.recovery = recoveryTime(c.calls.recovery(heal, window, recoveryTarget, callRecord.ok))
		r.recoveryFast = recoveryTime(c.calls.recovery(heal, window, recoveryTarget, fast))
		results[c.name] = r
	}

	const row = "%-10s  %-11s  %6s  %5s  %7s  %5s  %6s  %6s\n"
	fmt.Fprintf(w, row, "phase", "client", "ok", "load", "reached", "429s", "p50", "p99")
	for i := range len(phases) + 1 {
		name := "total"
		if i < len(phases) {
			name = phases[i].name
		}
		for _, c := range contenders {
			s := results[c.name].phases[i]
			fmt.Fprintf(w, row, name, c.name, pct(s.ok, s.calls), ratio(s.reached, s.calls),
				fmt.Sprint(s.reached), fmt.Sprint(s.throttled), ms(s.p50), ms(s.p99))
			name = ""
		}
	}

	fmt.Fprintf(w, "\nTime to recover, from the backend healing (at %v) until %.0f%% of the calls started in a %v window\n",
		heal, 100*recoveryTarget, window)
	for _, crit := range []struct {
		name string
		time func(result) time.Duration
	}{
		{"succeed:", func(r result) time.Duration { return r.recovery }},
		{fmt.Sprintf("succeed within %v:", fastCall), func(r result) time.Duration { return r.recoveryFast }},
	} {
		fmt.Fprintf(w, "  %-22s", crit.name)
		for _, c := range contenders {
			fmt.Fprintf(w, "  %s %-8s", c.name, seconds(crit.time(results[c.name])))
		}
		fmt.Fprintln(w)
	}
	legend(w, results)
	return results
}

func recoveryTime(d time.Duration, ok bool) time.Duration {
	if !ok {
		return -1
	}
	return d
}

func seconds(d time.Duration) string {
	if d < 0 {
		return "not yet"
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// legend explains the columns, and says plainly where resilient did worse
// than the plain client, and why.
func legend(w io.Writer, results map[string]result) {
	fmt.Fprintln(w)
	para(w, `ok: calls that ended in a 200 within their deadline. load: requests that reached the backend per call
(attempts per call). reached: requests that reached the backend; 429s: those of them it refused over its
quota. p50/p99: call latency as the caller saw it, retries, waits and failures included.`)
	for _, p := range phases {
		if p.load > 1 {
			para(w, fmt.Sprintf("In the %s at most %.0f%% of the calls can succeed: the backend serves its capacity, no more.", p.name, 100/p.load))
		}
	}
	plain, res := results["plain"], results["resilient"]
	for i, p := range phases {
		pl, rs := plain.phases[i], res.phases[i]
		if okRate(rs) >= okRate(pl) {
			continue
		}
		text := fmt.Sprintf("In the %s phase resilient succeeded less often than plain (%s against %s). Its failed calls: %s.",
			p.name, pct(rs.ok, rs.calls), pct(pl.ok, pl.calls), failures(rs))
		switch {
		case p.quota:
			text += fmt.Sprintf(` It follows the quota instead of sending over it: the first 429 holds the host for a tenth of its
Retry-After and cuts the host's rate to what the quota serves, and calls that cannot get a turn before their
deadline fail at once. So it sent %s fewer requests that the server refused (%d against %d), and %s fewer
requests in all (%d against %d).`,
				times(pl.throttled, rs.throttled), rs.throttled, pl.throttled, times(pl.reached, rs.reached), rs.reached, pl.reached)
		case rs.causes[paused] > 0 && phases[i-1].quota:
			text += fmt.Sprintf(` The host's rate was still the %s's quota: the adaptive rate climbs back along CUBIC's curve,
over seconds (docs/pushback.md), and this compressed incident gives it less than one.`, phases[i-1].name)
		}
		text += fmt.Sprintf(" Latency p50/p99: resilient %s/%s, plain %s/%s.", ms(rs.p50), ms(rs.p99), ms(pl.p50), ms(pl.p99))
		fmt.Fprintln(w)
		para(w, text)
	}
}

// para prints text as a paragraph, wrapped at 110 columns.
func para(w io.Writer, text string) {
	line := 0
	for i, word := range strings.Fields(text) {
		if i > 0 && line+1+len(word) > 110 {
			fmt.Fprintln(w)
			line = 0
		} else if i > 0 {
			fmt.Fprint(w, " ")
			line++
		}
		fmt.Fprint(w, word)
		line += len(word)
	}
	fmt.Fprintln(w)
}

// failures lists a summary's failed calls by cause.
func failures(s summary) string {
	var parts []string
	for c := succeeded + 1; c < numCauses; c++ {
		if n := s.causes[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %v", n, c))
		}
	}
	return strings.Join(parts, ", ")
}

func okRate(s summary) float64 {
	if s.calls == 0 {
		return 0
	}
	return float64(s.ok) / float64(s.calls)
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func ratio(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", float64(n)/float64(of))
}

// times says how many times fewer b is than a.
func times(a, b int) string {
	if b == 0 {
		return "infinitely"
	}
	return fmt.Sprintf("%.1f×", float64(a)/float64(b))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
}
