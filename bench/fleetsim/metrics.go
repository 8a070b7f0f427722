package fleetsim

import "time"

// Second holds what happened in one second of a run: the callers' side by
// the second their calls started or ended, the backend's by the second its
// requests arrived or finished.
type Second struct {
	// Offered is the calls that started.
	Offered int
	// Good is the calls whose answer (a 200) reached their caller within
	// its deadline, counted in the second it arrived: goodput.
	Good int
	// GoodOfOffered is, of the calls that started this second, those that
	// ended Good (whenever they ended): what the callers of this second got.
	GoodOfOffered int
	// Unsent is, of the calls that started this second, those that failed
	// without a single attempt reaching the backend: failed fast by the
	// client's own stack (an open breaker, a pushback pause).
	Unsent int
	// Sent is the requests that reached the backend, retries included.
	Sent int
	// Rejected is, of those, the ones answered 503 at once (a full queue,
	// or the outage).
	Rejected int
	// Served is the requests whose service ended.
	Served int
	// QueueMax is the deepest the backend's queue was.
	QueueMax int
	// Work is the service time of the requests served, and WastedWork the
	// part of it spent on requests whose caller was already gone.
	Work, WastedWork time.Duration
}

// Load is the backend's requests as a multiple of the calls offered.
func (s Second) Load() float64 { return ratio(s.Sent, s.Offered) }

// Wasted is the share of the backend's work spent on callers gone.
func (s Second) Wasted() float64 {
	if s.Work == 0 {
		return 0
	}
	return float64(s.WastedWork) / float64(s.Work)
}

// Summary condenses a run around its trigger.
type Summary struct {
	// Calls and Sent count the calls made and the requests that reached
	// the backend in the whole run.
	Calls, Sent int
	// WarmGoodput is the share of the calls started during the warm-up
	// that succeeded in time: the healthy baseline.
	WarmGoodput float64
	// TriggerGoodput and AfterGoodput are the shares of the calls started
	// during the trigger, and after it, that succeeded in time.
	TriggerGoodput, AfterGoodput float64
	// TriggerUnsent and AfterUnsent count the calls started during the
	// trigger, and after it, that failed without a single attempt reaching
	// the backend.
	TriggerUnsent, AfterUnsent int
	// TriggerLoad is the backend's requests per call offered during the
	// trigger.
	TriggerLoad float64
	// PeakLoad and PeakLoadAfter are the most requests per call offered in
	// one second of the trigger, and in one second after it.
	PeakLoad, PeakLoadAfter float64
	// Wasted is the share of the backend's work, from the trigger's start
	// until Settle after its end, spent on callers already gone.
	Wasted float64
	// QueueMax is the deepest the backend's queue was.
	QueueMax int
	// Recovered says whether the callers' calls succeeded again before the
	// run ended; Recovery is then the time from the trigger's end until,
	// from every half-second on, at least 95 % of the calls started in it
	// succeeded in time. When not Recovered, Recovery is the whole time
	// after the trigger: a lower bound.
	Recovered bool
	Recovery  time.Duration
}

// Result is one client kind's run through one trigger.
type Result struct {
	// Kind and Trigger say what ran.
	Kind    string
	Trigger Trigger
	// Config is the run's configuration, defaults filled in.
	Config Config
	// Seconds is the run second by second, until the backend went idle.
	Seconds []Second
	// Summary condenses Seconds and the calls.
	Summary Summary
	// ClientHeap is the heap that the fleet's clients held once built, in
	// bytes (after a garbage collection): the stacks' own memory. It is
	// the one figure that is not a function of the seed.
	ClientHeap uint64
}

// Settle is how long after the trigger's end Summary.Wasted still counts
// the backend's work: the time the fleet has to recover in (the issue's
// target), so that the share does not depend on how long the run goes on.
const Settle = 5 * time.Second

// RecoveryStep is the width of the bins that Summary.Recovery is judged
// on, and so its resolution.
const RecoveryStep = 500 * time.Millisecond

// RecoveryShare is the share of a bin's calls that must succeed for the
// fleet to count as recovered.
const RecoveryShare = 0.95

// record is what a run keeps of each call.
type record struct {
	start, end time.Duration // from the run's start
	good       bool
	unsent     bool // failed without an attempt reaching the backend
}

// summarize fills in the callers' side of seconds from the calls, and
// condenses the run.
func summarize(cfg Config, recs []record, seconds []Second) ([]Second, Summary) {
	grow := func(i int) {
		for len(seconds) <= i {
			seconds = append(seconds, Second{})
		}
	}
	bins := int((cfg.Duration() + RecoveryStep - 1) / RecoveryStep)
	binCalls, binGood := make([]int, bins), make([]int, bins)
	var s Summary
	type span struct{ calls, good, unsent int }
	var warm, trig, after span
	ts, te := cfg.TriggerStart(), cfg.TriggerEnd()
	for _, r := range recs {
		i := int(r.start / time.Second)
		grow(i)
		seconds[i].Offered++
		sp := &warm
		switch {
		case r.start >= te:
			sp = &after
		case r.start >= ts:
			sp = &trig
		}
		sp.calls++
		if r.unsent {
			sp.unsent++
			seconds[i].Unsent++
		}
		if b := int(r.start / RecoveryStep); b < bins {
			binCalls[b]++
			if r.good {
				binGood[b]++
			}
		}
		if r.good {
			sp.good++
			seconds[i].GoodOfOffered++
			j := int(r.end / time.Second)
			grow(j)
			seconds[j].Good++
		}
	}
	s.Calls = len(recs)
	s.WarmGoodput = ratio(warm.good, warm.calls)
	s.TriggerGoodput = ratio(trig.good, trig.calls)
	s.AfterGoodput = ratio(after.good, after.calls)
	s.TriggerUnsent, s.AfterUnsent = trig.unsent, after.unsent

	first, last := int(ts/time.Second), int(te/time.Second) // the trigger's seconds: [first, last)
	var trigSent int
	for i := range seconds {
		sec := &seconds[i]
		s.Sent += sec.Sent
		s.QueueMax = max(s.QueueMax, sec.QueueMax)
		switch {
		case i >= first && i < last:
			trigSent += sec.Sent
			s.PeakLoad = max(s.PeakLoad, sec.Load())
		case i >= last && time.Duration(i)*time.Second < cfg.Duration():
			s.PeakLoadAfter = max(s.PeakLoadAfter, sec.Load())
		}
	}
	s.TriggerLoad = ratio(trigSent, trig.calls)
	var work, wasted time.Duration
	for i := first; i < min(len(seconds), int((te+Settle)/time.Second)); i++ {
		work += seconds[i].Work
		wasted += seconds[i].WastedWork
	}
	if work > 0 {
		s.Wasted = float64(wasted) / float64(work)
	}

	// Recovered from the first bin after the trigger from which every bin
	// has 95 % of its calls good (a bin without calls does not count
	// against it).
	from := int(te / RecoveryStep)
	rec := bins
	for b := bins - 1; b >= from; b-- {
		if binCalls[b] > 0 && float64(binGood[b]) < RecoveryShare*float64(binCalls[b]) {
			break
		}
		rec = b
	}
	s.Recovered = rec < bins
	s.Recovery = time.Duration(rec-from) * RecoveryStep
	return seconds, s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
