package backoff_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// clock is a fake clock for budgets, safe for concurrent use.
type clock struct{ nanos atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.nanos.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.nanos.Load()) }
func (c *clock) Advance(d time.Duration) { c.nanos.Add(int64(d)) }

func mustBudget(t testing.TB, c backoff.BudgetConfig) *backoff.Budget {
	t.Helper()
	b, err := backoff.NewBudget(c)
	if err != nil {
		t.Fatalf("NewBudget(%+v): %v", c, err)
	}
	return b
}

// drain withdraws until the budget refuses and returns how many retries it
// granted (at most limit).
func drain(b *backoff.Budget, limit int) int {
	n := 0
	for n < limit && b.TryRetry() {
		n++
	}
	return n
}

func TestBudgetStartsFull(t *testing.T) {
	clk := newClock()
	for _, maxTokens := range []float64{1, 3, 10, 2.5} {
		b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{MaxTokens: maxTokens}, clk.Now))
		if got := b.Available(); got != maxTokens {
			t.Errorf("MaxTokens %v: Available() = %v at start, want full", maxTokens, got)
		}
		want := int(maxTokens)
		if got := drain(b, 1000); got != want {
			t.Errorf("MaxTokens %v: %d retries granted from a full bucket, want %d", maxTokens, got, want)
		}
		if b.TryRetry() {
			t.Errorf("MaxTokens %v: TryRetry() = true after draining", maxTokens)
		}
	}
	// The zero config is the default: 10 tokens.
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{}, clk.Now))
	if got := drain(b, 1000); got != 10 {
		t.Errorf("default budget granted %d retries, want 10", got)
	}
}

func TestBudgetSuccessDeposits(t *testing.T) {
	clk := newClock() // never advances: no floor credit
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{Ratio: 0.2}, clk.Now))
	drain(b, 1000)
	for i := 0; i < 4; i++ {
		b.Success()
	}
	if b.TryRetry() {
		t.Fatal("4 successes at Ratio 0.2 (0.8 tokens) allowed a retry")
	}
	b.Success() // fifth: 1.0 token
	if !b.TryRetry() {
		t.Fatal("5 successes at Ratio 0.2 did not allow a retry")
	}
	if b.TryRetry() {
		t.Fatal("5 successes at Ratio 0.2 allowed two retries")
	}
	for i := 0; i < 50; i++ {
		b.Success()
	}
	if got := drain(b, 1000); got != 10 {
		t.Errorf("50 successes at Ratio 0.2 granted %d retries, want 10", got)
	}
	if got := b.Available(); got != 0 {
		t.Errorf("Available() = %v after draining, want 0", got)
	}
	// A tiny ratio still deposits.
	tiny := mustBudget(t, backoff.BudgetConfig{Ratio: 1e-9, MaxTokens: 1, NoFloor: true})
	drain(tiny, 10)
	tiny.Success()
	if got := tiny.Available(); got <= 0 {
		t.Errorf("Ratio 1e-9: Available() = %v after a success, want > 0", got)
	}
}

func TestBudgetCap(t *testing.T) {
	clk := newClock()
	// Ratio 0.3 does not divide the cap: the 14th success would overshoot
	// to 4.2 without the cap.
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{Ratio: 0.3, MaxTokens: 4, NoFloor: true}, clk.Now))
	drain(b, 1000)
	for i := 0; i < 100; i++ {
		b.Success()
	}
	if got := b.Available(); got != 4 {
		t.Errorf("Available() = %v after 100 successes, want the cap 4", got)
	}
	if got := drain(b, 1000); got != 4 {
		t.Errorf("granted %d retries after 100 successes, want the cap 4", got)
	}
	// Success on a full bucket changes nothing.
	full := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{Ratio: 1, MaxTokens: 4}, clk.Now))
	full.Success()
	if got := full.Available(); got != 4 {
		t.Errorf("Available() = %v after Success on a full bucket, want 4", got)
	}
}

func TestBudgetFloor(t *testing.T) {
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{MaxTokens: 10, MinPerSecond: 1}, clk.Now))
	if got := drain(b, 1000); got != 10 {
		t.Fatalf("granted %d from full, want 10", got)
	}
	clk.Advance(3 * time.Second)
	if got := b.Available(); got != 3 {
		t.Errorf("Available() = %v 3s after draining, want 3", got)
	}
	if got := drain(b, 1000); got != 3 {
		t.Errorf("granted %d retries 3s after draining at MinPerSecond 1, want 3", got)
	}
	// Fractions accumulate across many small steps.
	for i := 0; i < 10; i++ {
		clk.Advance(100 * time.Millisecond)
		if i < 9 && b.TryRetry() {
			t.Fatalf("retry granted after %dms of floor", (i+1)*100)
		}
	}
	if !b.TryRetry() {
		t.Error("no retry after 10 × 100ms of floor at MinPerSecond 1")
	}
	// Never above the cap.
	clk.Advance(time.Hour)
	if got := b.Available(); got != 10 {
		t.Errorf("Available() = %v an hour later, want the cap 10", got)
	}
	if got := drain(b, 1000); got != 10 {
		t.Errorf("granted %d retries an hour later, want the cap 10", got)
	}
	// A floor credit on a part-full bucket stops at the cap too.
	clk.Advance(10 * time.Second)
	if got := drain(b, 9); got != 9 {
		t.Fatalf("granted %d of 9", got)
	}
	clk.Advance(time.Hour)
	if got := drain(b, 1000); got != 10 {
		t.Errorf("granted %d retries an hour after leaving 1 token, want the cap 10", got)
	}
	// Available includes the pending floor credit, capped.
	clk.Advance(10 * time.Second)
	drain(b, 1)
	clk.Advance(time.Hour)
	if got := b.Available(); got != 10 {
		t.Errorf("Available() = %v an hour after leaving 9 tokens, want the cap 10", got)
	}
	drain(b, 1000)
	// A clock that goes back credits nothing and does not break the floor.
	clk.Advance(-time.Minute)
	if b.TryRetry() {
		t.Error("retry granted after the clock went back")
	}
	clk.Advance(time.Minute + 2*time.Second)
	if got := drain(b, 1000); got != 2 {
		t.Errorf("granted %d retries 2s after the clock recovered, want 2", got)
	}
	// A fast floor.
	fast := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{MaxTokens: 5, MinPerSecond: 1000}, clk.Now))
	drain(fast, 1000)
	clk.Advance(3 * time.Millisecond)
	if got := drain(fast, 1000); got != 3 {
		t.Errorf("MinPerSecond 1000: granted %d retries after 3ms, want 3", got)
	}
}

func TestBudgetNoFloor(t *testing.T) {
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{NoFloor: true, MinPerSecond: 5}, clk.Now))
	drain(b, 1000)
	clk.Advance(time.Hour)
	if b.TryRetry() {
		t.Error("NoFloor: retry granted after an hour without successes")
	}
	if got := b.Available(); got != 0 {
		t.Errorf("NoFloor: Available() = %v, want 0", got)
	}
	for i := 0; i < 5; i++ {
		b.Success()
	}
	if !b.TryRetry() {
		t.Error("NoFloor: 5 successes did not allow a retry")
	}
}

func TestBudgetDefaultClock(t *testing.T) {
	// Now nil uses time.Now; the budget still starts full and works.
	b := mustBudget(t, backoff.BudgetConfig{})
	if got := drain(b, 1000); got < 10 || got > 11 {
		t.Errorf("default clock: granted %d retries from full, want 10", got)
	}
}

func TestUnlimited(t *testing.T) {
	b := backoff.Unlimited()
	for i := 0; i < 10000; i++ {
		if !b.TryRetry() {
			t.Fatalf("Unlimited refused retry %d", i)
		}
	}
	b.Success()
	if got := b.Available(); !math.IsInf(got, 1) {
		t.Errorf("Unlimited Available() = %v, want +Inf", got)
	}
}

func TestZeroBudget(t *testing.T) {
	var b backoff.Budget
	b.Success()
	if b.TryRetry() {
		t.Error("zero Budget allowed a retry")
	}
	if got := b.Available(); got != 0 {
		t.Errorf("zero Budget Available() = %v, want 0", got)
	}
}

func TestNewBudgetValidation(t *testing.T) {
	tests := []struct {
		name  string
		c     backoff.BudgetConfig
		field string
	}{
		{"negative Ratio", backoff.BudgetConfig{Ratio: -0.1}, "Ratio"},
		{"Ratio above 1", backoff.BudgetConfig{Ratio: 1.5}, "Ratio"},
		{"NaN Ratio", backoff.BudgetConfig{Ratio: math.NaN()}, "Ratio"},
		{"MaxTokens below 1", backoff.BudgetConfig{MaxTokens: 0.5}, "MaxTokens"},
		{"negative MaxTokens", backoff.BudgetConfig{MaxTokens: -10}, "MaxTokens"},
		{"infinite MaxTokens", backoff.BudgetConfig{MaxTokens: math.Inf(1)}, "MaxTokens"},
		{"huge MaxTokens", backoff.BudgetConfig{MaxTokens: 1e13}, "MaxTokens"},
		{"NaN MaxTokens", backoff.BudgetConfig{MaxTokens: math.NaN()}, "MaxTokens"},
		{"negative MinPerSecond", backoff.BudgetConfig{MinPerSecond: -1}, "MinPerSecond"},
		{"NaN MinPerSecond", backoff.BudgetConfig{MinPerSecond: math.NaN()}, "MinPerSecond"},
		{"infinite MinPerSecond", backoff.BudgetConfig{MinPerSecond: math.Inf(1)}, "MinPerSecond"},
	}
	for _, tt := range tests {
		b, err := backoff.NewBudget(tt.c)
		if err == nil {
			t.Errorf("%s: NewBudget(%+v) succeeded, want error", tt.name, tt.c)
			continue
		}
		if !errors.Is(err, backoff.ErrInvalidConfig) {
			t.Errorf("%s: error %q does not wrap ErrInvalidConfig", tt.name, err)
		}
		if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: error %q does not name %s", tt.name, err, tt.field)
		}
		if b != nil {
			t.Errorf("%s: NewBudget returned a non-nil Budget with an error", tt.name)
		}
	}
	for _, c := range []backoff.BudgetConfig{
		{Ratio: 1}, {MaxTokens: 1}, {MaxTokens: 1e12}, {NoFloor: true}, {NoFloor: true, MinPerSecond: -1},
		backoff.DefaultBudgetConfig(),
	} {
		if _, err := backoff.NewBudget(c); err != nil {
			t.Errorf("NewBudget(%+v) = %v, want no error", c, err)
		}
	}
}

// TestBudgetConcurrentExact checks that concurrent withdrawals and
// deposits are neither lost nor double-counted.
func TestBudgetConcurrentExact(t *testing.T) {
	clk := newClock() // fixed: no floor credit
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{Ratio: 0.5, MaxTokens: 10}, clk.Now))
	const workers = 16
	grantedTotal := func(tries int) int64 {
		var granted atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range tries {
					if b.TryRetry() {
						granted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		return granted.Load()
	}
	if got := grantedTotal(100); got != 10 {
		t.Fatalf("concurrent drain of a full bucket granted %d, want exactly 10", got)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { b.Success() }) // 16 × 0.5 = 8 tokens, below the cap
	}
	wg.Wait()
	if got := b.Available(); got != 8 {
		t.Fatalf("Available() = %v after 16 concurrent successes at Ratio 0.5, want exactly 8", got)
	}
	if got := grantedTotal(100); got != 8 {
		t.Fatalf("concurrent drain granted %d, want exactly 8", got)
	}
}

// TestBudgetConcurrentFloor checks that concurrent TryRetry calls credit
// the floor once, not once per caller. A double credit needs two callers
// between the same load and store, so this test catches it only by
// chance per round (more often under -race); it runs many rounds.
func TestBudgetConcurrentFloor(t *testing.T) {
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{MaxTokens: 10, MinPerSecond: 1}, clk.Now))
	drain(b, 1000)
	const workers = 8
	for round := range 300 {
		clk.Advance(5 * time.Second)
		var granted atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range workers {
			wg.Go(func() {
				<-start
				for range 3 {
					if b.TryRetry() {
						granted.Add(1)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		if got := granted.Load(); got != 5 {
			t.Fatalf("round %d: concurrent TryRetry granted %d retries after 5s of floor, want exactly 5", round, got)
		}
	}
}

// TestBudgetConcurrentBound runs Success and TryRetry from many goroutines
// with an advancing clock: the retries granted never exceed
// MaxTokens + Ratio·successes + MinPerSecond·elapsed.
func TestBudgetConcurrentBound(t *testing.T) {
	clk := newClock()
	cfg := backoff.BudgetWithClock(backoff.BudgetConfig{Ratio: 0.2, MaxTokens: 10, MinPerSecond: 1}, clk.Now)
	b := mustBudget(t, cfg)
	const workers, calls = 32, 2000
	var successes, granted atomic.Int64
	start := clk.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				clk.Advance(time.Millisecond / 10)
				if (i+w)%3 == 0 { // a third of the calls fail and want a retry
					if b.TryRetry() {
						granted.Add(1)
					}
					continue
				}
				b.Success()
				successes.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := clk.Now().Sub(start).Seconds()
	bound := cfg.MaxTokens + cfg.Ratio*float64(successes.Load()) + cfg.MinPerSecond*elapsed
	if g := float64(granted.Load()); g > bound {
		t.Errorf("granted %v retries, above the bound %v (successes %d, %.1fs)", g, bound, successes.Load(), elapsed)
	}
	// With a third failing and Ratio 0.2 the budget, not the demand, binds:
	// most of the bound is used.
	if g := float64(granted.Load()); g < 0.9*(cfg.Ratio*float64(successes.Load())) {
		t.Errorf("granted only %v retries; deposits of %d successes were lost", g, successes.Load())
	}
	if a := b.Available(); a < 0 || a > cfg.MaxTokens {
		t.Errorf("Available() = %v, out of [0, MaxTokens]", a)
	}
}

// simulateOutage runs n calls that all fail; each call retries while the
// budget allows, up to maxAttempts attempts in all, and the clock advances
// step per call. It returns the attempts per call (load amplification).
func simulateOutage(b *backoff.Budget, clk *clock, n, maxAttempts int, step time.Duration) float64 {
	attempts := 0
	for range n {
		clk.Advance(step)
		attempts++ // the first attempt fails
		for a := 1; a < maxAttempts && b.TryRetry(); a++ {
			attempts++ // the retry fails too
		}
	}
	return float64(attempts) / float64(n)
}

func TestBudgetTotalOutage(t *testing.T) {
	const n, maxAttempts = 5000, 3
	clk := newClock()
	c := backoff.DefaultBudgetConfig()
	c = backoff.BudgetWithClock(c, clk.Now)
	b := mustBudget(t, c)
	amp := simulateOutage(b, clk, n, maxAttempts, time.Millisecond)
	// 10 tokens at start + 5s of floor at 1/s = 15 retries over 5000 calls.
	if amp > 1.1 {
		t.Errorf("total outage with DefaultBudgetConfig: %.4f attempts per call, want <= 1.1", amp)
	}
	if want := 1 + 15.0/n; math.Abs(amp-want) > 1.0/n {
		t.Errorf("total outage with DefaultBudgetConfig: %.4f attempts per call, want %.4f", amp, want)
	}
	if amp := simulateOutage(backoff.Unlimited(), clk, n, maxAttempts, time.Millisecond); amp != maxAttempts {
		t.Errorf("total outage with Unlimited: %.4f attempts per call, want exactly %d", amp, maxAttempts)
	}
}

// TestBudgetPartialFailure checks the reason for crediting successes only:
// at 20 % errors, retries keep working up to Ratio of the successes.
func TestBudgetPartialFailure(t *testing.T) {
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{NoFloor: true}, clk.Now))
	const n = 10000
	failed, retried := 0, 0
	for i := range n {
		if i%5 == 0 { // 20 % of first attempts fail
			failed++
			if b.TryRetry() {
				retried++
				b.Success() // the retry succeeds
			}
			continue
		}
		b.Success()
	}
	// Deposits: 0.2 per success; about 0.2·(8000+retried) ≥ 1600 of 2000 wanted.
	if frac := float64(retried) / float64(failed); frac < 0.8 {
		t.Errorf("at 20%% errors only %.0f%% of failed calls were retried, want >= 80%%", 100*frac)
	}
}

func TestBudgetSuccessNoAlloc(t *testing.T) {
	b := mustBudget(t, backoff.BudgetConfig{})
	if n := testing.AllocsPerRun(1000, b.Success); n != 0 {
		t.Errorf("Success allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(1000, func() { b.TryRetry(); b.Success() }); n != 0 {
		t.Errorf("TryRetry allocates %v times per call", n)
	}
}

// TestBudgetSuccessNoClock checks that Success never reads the clock.
func TestBudgetSuccessNoClock(t *testing.T) {
	var calls atomic.Int64
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{}, func() time.Time { calls.Add(1); return clk.Now() }))
	before := calls.Load()
	drain(b, 3)
	mid := calls.Load()
	for range 100 {
		b.Success()
	}
	if after := calls.Load(); after != mid {
		t.Errorf("Success read the clock %d times", after-mid)
	}
	if mid == before {
		t.Error("TryRetry never read the clock; the floor cannot work")
	}
}

func BenchmarkBudgetSuccess(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		bud := mustBudget(b, backoff.BudgetConfig{})
		b.ReportAllocs()
		for b.Loop() {
			bud.Success()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		bud := mustBudget(b, backoff.BudgetConfig{})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				bud.Success()
			}
		})
	})
}

// TestBudgetRefundMakesSuccessfulRetriesFree: with refunds, a 30 %
// random-error load gets every retry it needs from the successes'
// deposits, where without them the bucket runs dry.
func TestBudgetRefundMakesSuccessfulRetriesFree(t *testing.T) {
	run := func(refund bool) (ok, calls int) {
		b, err := backoff.NewBudget(backoff.BudgetConfig{NoFloor: true})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 10000 {
			calls++
			for attempt := 1; attempt <= 3; attempt++ {
				if attempt > 1 && !b.TryRetry() {
					break
				}
				if rng.Float64() >= 0.3 { // the attempt succeeds
					ok++
					b.Success()
					if attempt > 1 && refund {
						b.Refund()
					}
					break
				}
			}
		}
		return ok, calls
	}
	okRefund, calls := run(true)
	okPlain, _ := run(false)
	if rate := float64(okRefund) / float64(calls); rate < 0.965 {
		t.Errorf("with refunds %.3f of calls succeed, want >= 0.965 (1-0.3³)", rate)
	}
	if rate := float64(okPlain) / float64(calls); rate > 0.9 {
		t.Errorf("without refunds %.3f succeed: the test no longer tells them apart", rate)
	}
}

// TestBudgetRefundCapped: a refund never lifts the bucket above MaxTokens.
func TestBudgetRefundCapped(t *testing.T) {
	b, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 2, NoFloor: true})
	if err != nil {
		t.Fatal(err)
	}
	b.Refund()
	if got := b.Available(); got != 2 {
		t.Fatalf("Available %v after a refund to a full bucket, want 2", got)
	}
	b.TryRetry()
	b.Refund()
	b.Refund()
	if got := b.Available(); got != 2 {
		t.Fatalf("Available %v, want 2", got)
	}
}

// TestBudgetFloorNarrated is what ExampleBudget once showed on a manual
// clock: a drained bucket refills at MinPerSecond with time alone.
func TestBudgetFloorNarrated(t *testing.T) {
	clk := newClock()
	b := mustBudget(t, backoff.BudgetWithClock(backoff.BudgetConfig{Ratio: 0.2, MaxTokens: 3, MinPerSecond: 1}, clk.Now))
	for b.TryRetry() {
	}
	clk.Advance(2 * time.Second)
	if got := fmt.Sprintf("%.0f", b.Available()); got != "2" {
		t.Fatalf("after 2s: %s tokens, want 2", got)
	}
}
