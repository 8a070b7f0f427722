package balancer_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
)

// NaN compares false with everything, so range checks written as
// "x < lo || x > hi" let it through.
func TestConfigRefusesNaN(t *testing.T) {
	for name, cfg := range map[string]balancer.Config{
		"PanicThreshold":       {PanicThreshold: math.NaN()},
		"Outlier.FailureRatio": {Outlier: balancer.OutlierConfig{FailureRatio: math.NaN()}},
	} {
		if _, err := balancer.New(cfg); !errors.Is(err, balancer.ErrInvalidConfig) {
			t.Errorf("%s NaN: New = %v, want ErrInvalidConfig", name, err)
		}
	}
}

// An ejection of the longest duration must last, not wrap around: the
// jitter added to MaxInt64, or BaseEjection times the count of ejections,
// overflowed into a negative duration that ended the ejection at once.
func TestHugeEjectionDoesNotOverflow(t *testing.T) {
	for _, base := range []time.Duration{math.MaxInt64, math.MaxInt64/2 + 1} {
		var log hookLog
		b := newBalancer(t, balancer.Config{
			Policy: balancer.RoundRobin,
			Hooks:  log.hooks(),
			Outlier: balancer.OutlierConfig{
				ConsecutiveFailures: 1, FailureRatio: -1, MaxEjectionPercent: 100,
				BaseEjection: base, MaxEjection: math.MaxInt64,
			},
		}, eps(3))
		start := time.Now()
		// Eject a:1, and again once the first ejection is over (170
		// years on, past MaxInt64/2 ns, 146 years, plus 10 % of jitter):
		// the second counts twice the base.
		for round, now := range []time.Time{start, start.Add(170 * 365 * 24 * time.Hour)} {
			for i := 0; len(log.ejected) == round; i++ {
				if i == 100 {
					t.Fatalf("base %v: a:1 not ejected a %d time", base, round+1)
				}
				p, err := b.Pick(now, nil)
				if err != nil {
					t.Fatal(err)
				}
				o := balancer.Success
				if p.Addr() == "a:1" {
					o = balancer.Failure
				}
				p.Done(now, o)
			}
			e := log.ejected[round]
			if e.Duration < base || !e.Until.After(now) {
				t.Fatalf("base %v, ejection %d: %+v, want at least the base, ending in the future", base, round+1, e)
			}
			later := now.Add(time.Hour)
			for range 30 {
				p, err := b.Pick(later, nil)
				if err != nil {
					t.Fatal(err)
				}
				if p.Addr() == "a:1" {
					t.Fatalf("base %v, ejection %d: a:1 picked an hour into an ejection of %v", base, round+1, e.Duration)
				}
				p.Done(later, balancer.Success)
			}
			if base == math.MaxInt64 {
				break // an ejection of MaxInt64 outlasts the clock
			}
		}
	}
}
