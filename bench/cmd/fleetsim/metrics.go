package main

import (
	"fmt"
	"time"

	"github.com/resilient-go/resilient/bench/fleetsim"
)

// metric is one headline figure of a run's Summary, in the tables and in
// "Where resilient is behind".
type metric struct {
	name  string
	of    func(s fleetsim.Summary) float64
	show  func(s fleetsim.Summary) string
	dir   int     // +1: higher is better; -1: lower is; 0: neither
	noise float64 // a gap under this is not counted as one
}

// ahead says whether a beats b by more than the noise.
func (m metric) ahead(a, b float64) bool {
	switch m.dir {
	case 1:
		return a > b+m.noise
	case -1:
		return a < b-m.noise
	}
	return false
}

var metrics = []metric{
	{"goodput, trigger", func(s fleetsim.Summary) float64 { return s.TriggerGoodput },
		func(s fleetsim.Summary) string { return pct(s.TriggerGoodput) }, 1, 0.02},
	{"goodput, after", func(s fleetsim.Summary) float64 { return s.AfterGoodput },
		func(s fleetsim.Summary) string { return pct(s.AfterGoodput) }, 1, 0.02},
	{"failed unsent, trigger / after", nil,
		func(s fleetsim.Summary) string { return fmt.Sprintf("%d / %d", s.TriggerUnsent, s.AfterUnsent) }, 0, 0},
	{"requests per call, trigger", func(s fleetsim.Summary) float64 { return s.TriggerLoad },
		func(s fleetsim.Summary) string { return fmt.Sprintf("%.2f", s.TriggerLoad) }, -1, 0.05},
	{"peak load, trigger", func(s fleetsim.Summary) float64 { return s.PeakLoad },
		func(s fleetsim.Summary) string { return fmt.Sprintf("%.2f×", s.PeakLoad) }, -1, 0.05},
	{"peak load, after", func(s fleetsim.Summary) float64 { return s.PeakLoadAfter },
		func(s fleetsim.Summary) string { return fmt.Sprintf("%.2f×", s.PeakLoadAfter) }, -1, 0.05},
	{"wasted work", func(s fleetsim.Summary) float64 { return s.Wasted },
		func(s fleetsim.Summary) string { return pct(s.Wasted) }, -1, 0.02},
	{"deepest queue", nil, func(s fleetsim.Summary) string { return fmt.Sprint(s.QueueMax) }, 0, 0},
	{"recovery", func(s fleetsim.Summary) float64 { return s.Recovery.Seconds() }, showRecovery, -1, 0.9},
}

func showRecovery(s fleetsim.Summary) string {
	if !s.Recovered {
		return "**not in " + secs(s.Recovery) + "**"
	}
	return secs(s.Recovery)
}

func pct(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }

func secs(d time.Duration) string {
	return fmt.Sprintf("%g s", d.Round(10*time.Millisecond).Seconds())
}
