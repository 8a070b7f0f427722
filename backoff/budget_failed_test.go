package backoff_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// Failed retries in a row cost 1, 1, 2, 4, 8 … tokens; a success ends the
// streak.
func TestBudgetFailedStreakDoubles(t *testing.T) {
	b := mustBudget(t, backoff.BudgetConfig{MaxTokens: 100, NoFloor: true})
	var costs []float64
	for range 6 {
		before := b.Available()
		if !b.TryRetry() {
			t.Fatal("retry refused with tokens left")
		}
		b.Failed()
		costs = append(costs, before-b.Available())
	}
	want := []float64{1, 1, 2, 4, 8, 16}
	for i := range want {
		if math.Abs(costs[i]-want[i]) > 1e-6 {
			t.Fatalf("failed retries in a row cost %v, want %v", costs, want)
		}
	}
	b.Success() // ends the streak
	before := b.Available()
	b.TryRetry()
	b.Failed()
	if c := before - b.Available(); math.Abs(c-1) > 1e-6 {
		t.Errorf("after a success a failed retry costs %v, want 1", c)
	}
	for range 3 { // a streak again: 1, 1, 2
		b.TryRetry()
		b.Failed()
	}
	b.TryRetry()
	b.Refund() // a retry that worked ends it too
	before = b.Available()
	b.TryRetry()
	b.Failed()
	if c := before - b.Available(); math.Abs(c-1) > 1e-6 {
		t.Errorf("after a successful retry a failed retry costs %v, want 1", c)
	}
}

// A fresh default bucket still gives one call its five retries, and then
// no more until the floor or a success pays the debt.
func TestBudgetFailedDebt(t *testing.T) {
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{}, clk.Now)) // 10 tokens, floor 1/s
	retries := 0
	for b.TryRetry() {
		b.Failed()
		retries++
	}
	if retries != 5 {
		t.Errorf("a fresh bucket of 10 gave %d failed retries in a row, want 5 (1+1+2+4+8 > 10)", retries)
	}
	// Deep in the streak a failed retry costs 1+MaxTokens: the floor (one
	// a second) must pay a debt back before the next, one retry per 11 s.
	last := clk.Now()
	for i := range 5 {
		for !b.TryRetry() {
			clk.Advance(100 * time.Millisecond)
			if a := b.Available(); a < -10 {
				t.Fatalf("debt of %v tokens, want it bounded by MaxTokens (10)", -a)
			}
		}
		b.Failed()
		// (The first waits out the streak's 16 tokens less the 10: 7 s.)
		if gap := clk.Now().Sub(last); i > 0 && (gap < 10*time.Second || gap > 12*time.Second) {
			t.Errorf("%v between failed retries deep in a streak, want about 11s", gap)
		}
		last = clk.Now()
	}
	if a := b.Available(); a > -9 {
		t.Errorf("after a failed retry deep in a streak: %v tokens, want a debt near -10", a)
	}
	// The server answers again: a success forgives the debt.
	b.Success()
	if a := b.Available(); a < 0 || a > 0.5 {
		t.Errorf("after a success: %v tokens, want the debt forgiven (0.2 deposited)", a)
	}
}

// In a long outage, where every retry fails, Failed holds the retries to
// one per MaxTokens+1 seconds of floor, about a tenth of the floor's one a
// second without it.
func TestBudgetFailedLongOutage(t *testing.T) {
	run := func(report bool) int {
		clk := newClock()
		b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{}, clk.Now))
		retries := 0
		for range 600 { // ten minutes, a call a second, 4 attempts at most
			clk.Advance(time.Second)
			for a := 1; a < 4 && b.TryRetry(); a++ {
				retries++
				if report {
					b.Failed()
				}
			}
		}
		return retries
	}
	without, with := run(false), run(true)
	t.Logf("10 min outage, a call a second: %d retries without Failed, %d with", without, with)
	if without < 590 {
		t.Fatalf("without Failed: %d retries, want the floor's one a second (the comparison is moot)", without)
	}
	if with > 70 {
		t.Errorf("with Failed: %d retries in 600 s, want <= 70 (one per 11 s of floor, and the first five)", with)
	}
}

// Under random errors a success comes between failed retries, so Failed
// costs almost nothing: about as many calls succeed as without it (0.55 %
// fewer in this run of a budget without floor, where the tokens are
// scarcest).
func TestBudgetFailedRandomErrors(t *testing.T) {
	run := func(report bool) (ok int) {
		rng := rand.New(rand.NewPCG(1, 2))
		b := mustBudget(t, backoff.BudgetConfig{NoFloor: true})
		for range 20000 {
			for a := 1; a <= 4; a++ { // transport's default MaxAttempts
				if a > 1 && !b.TryRetry() {
					break
				}
				if rng.Float64() >= 0.3 { // 30 % of attempts fail
					b.Success()
					if a > 1 {
						b.Refund()
					}
					ok++
					break
				}
				if a > 1 && report {
					b.Failed()
				}
			}
		}
		return ok
	}
	without, with := run(false), run(true)
	if float64(with) < 0.99*float64(without) || float64(with)/20000 < 0.97 {
		t.Errorf("30 %% random errors: %d of 20000 calls succeeded with Failed, %d without; want within 1 %% and >= 97 %%", with, without)
	}
}

func TestBudgetFailedUnlimited(t *testing.T) {
	b := backoff.Unlimited()
	for range 100 {
		b.Failed()
	}
	if !b.TryRetry() || !math.IsInf(b.Available(), 1) {
		t.Error("Unlimited budget refused a retry after Failed")
	}
}
