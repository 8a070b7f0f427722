package backoff_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

func fixed(r float64) func() float64 { return func() float64 { return r } }

func mustNew(t testing.TB, c backoff.Config) backoff.Strategy {
	t.Helper()
	s, err := backoff.New(c)
	if err != nil {
		t.Fatalf("New(%+v): %v", c, err)
	}
	return s
}

// TestJitterExact pins every mode's value for Rand fixed at 0, 0.5 and
// 0.999, with the default Base 100ms, Multiplier 2, Max 10s, Spread 0.2.
func TestJitterExact(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		jitter  backoff.Jitter
		attempt int
		want    [3]time.Duration // for r = 0, 0.5, 0.999
	}{
		// v = 100ms, 200ms, 800ms; attempt 7 and on: 10s (cap).
		{backoff.FullJitter, 0, [3]time.Duration{0, 50 * ms, 99900 * time.Microsecond}},
		{backoff.FullJitter, 1, [3]time.Duration{0, 100 * ms, 199800 * time.Microsecond}},
		{backoff.FullJitter, 3, [3]time.Duration{0, 400 * ms, 799200 * time.Microsecond}},
		{backoff.FullJitter, 7, [3]time.Duration{0, 5 * time.Second, 9990 * ms}},
		{backoff.FullJitter, -5, [3]time.Duration{0, 50 * ms, 99900 * time.Microsecond}},

		{backoff.EqualJitter, 0, [3]time.Duration{50 * ms, 75 * ms, 99950 * time.Microsecond}},
		{backoff.EqualJitter, 3, [3]time.Duration{400 * ms, 600 * ms, 799600 * time.Microsecond}},
		{backoff.EqualJitter, 9, [3]time.Duration{5 * time.Second, 7500 * ms, 9995 * ms}},

		// U(Base, min(Max, Base·3^(attempt+1))): 100ms + r·(300ms−100ms), ...
		{backoff.DecorrelatedJitter, 0, [3]time.Duration{100 * ms, 200 * ms, 299800 * time.Microsecond}},
		{backoff.DecorrelatedJitter, 1, [3]time.Duration{100 * ms, 500 * ms, 899200 * time.Microsecond}},
		// 100ms·3^5 = 24.3s, capped to 10s: 100ms + r·9.9s.
		{backoff.DecorrelatedJitter, 4, [3]time.Duration{100 * ms, 5050 * ms, 9990100 * time.Microsecond}},

		// v·(0.8 + 0.4r), capped at Max.
		{backoff.ProportionalJitter, 0, [3]time.Duration{80 * ms, 100 * ms, 119960 * time.Microsecond}},
		{backoff.ProportionalJitter, 2, [3]time.Duration{320 * ms, 400 * ms, 479840 * time.Microsecond}},
		{backoff.ProportionalJitter, 7, [3]time.Duration{8 * time.Second, 10 * time.Second, 10 * time.Second}},

		{backoff.NoJitter, 0, [3]time.Duration{100 * ms, 100 * ms, 100 * ms}},
		{backoff.NoJitter, 6, [3]time.Duration{6400 * ms, 6400 * ms, 6400 * ms}},
		{backoff.NoJitter, 7, [3]time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second}},
	}
	for _, tt := range tests {
		for i, r := range []float64{0, 0.5, 0.999} {
			s := mustNew(t, backoff.Config{Jitter: tt.jitter, Rand: fixed(r)})
			if got := s.Backoff(tt.attempt); got != tt.want[i] {
				t.Errorf("%v Backoff(%d) with r=%v = %v, want %v", tt.jitter, tt.attempt, r, got, tt.want[i])
			}
		}
	}
}

// TestJitterBounds checks each mode's range with a seeded random source
// over many attempts, with several configurations.
func TestJitterBounds(t *testing.T) {
	configs := []backoff.Config{
		{},
		{Base: time.Millisecond, Max: time.Minute, Multiplier: 1.6, Spread: 0.5},
		{Base: 3 * time.Second, Max: 3 * time.Second},
		{Base: time.Nanosecond, Max: math.MaxInt64, Multiplier: 10},
		{Base: 7, Max: 1000, Multiplier: 1},
	}
	src := rand.New(rand.NewPCG(1, 2))
	for _, c := range configs {
		for j := backoff.FullJitter; j <= backoff.NoJitter; j++ {
			c := c
			c.Jitter = j
			c.Rand = src.Float64
			s := mustNew(t, c)
			base, maxD := c.Base, c.Max
			if base == 0 {
				base = backoff.DefaultConfig().Base
			}
			if maxD == 0 {
				maxD = backoff.DefaultConfig().Max
			}
			mult := c.Multiplier
			if mult == 0 {
				mult = 2
			}
			spread := c.Spread
			if spread == 0 {
				spread = 0.2
			}
			for attempt := 0; attempt < 300; attempt++ {
				for range 20 {
					d := s.Backoff(attempt)
					v := math.Min(float64(maxD), float64(base)*math.Pow(mult, float64(attempt)))
					lo, hi := 0.0, v
					switch j {
					case backoff.EqualJitter:
						lo = v / 2
					case backoff.DecorrelatedJitter:
						lo = float64(base)
						hi = math.Min(float64(maxD), float64(base)*math.Pow(3, float64(attempt+1)))
					case backoff.ProportionalJitter:
						lo = v * (1 - spread)
						hi = math.Min(float64(maxD), v*(1+spread))
					case backoff.NoJitter:
						lo = v
					}
					// 1ns slack for float truncation at the low end.
					if d < 0 || d > maxD || float64(d) < lo-1 || float64(d) > hi {
						t.Fatalf("%+v %v Backoff(%d) = %v, want in [%v, %v] and <= Max %v",
							c, j, attempt, d, time.Duration(lo), time.Duration(hi), maxD)
					}
				}
			}
		}
	}
}

// TestHugeAttempt checks that a huge attempt gives Max, never an
// overflowed or negative duration.
func TestHugeAttempt(t *testing.T) {
	for _, maxD := range []time.Duration{10 * time.Second, math.MaxInt64, math.MaxInt64 - 1, 1<<53 + 1} {
		for _, mult := range []float64{1.0001, 1.6, 2, 1e300} {
			c := backoff.Config{Max: maxD, Multiplier: mult, Jitter: backoff.NoJitter}
			s := mustNew(t, c)
			for _, attempt := range []int{1000, 1 << 40, math.MaxInt} {
				if mult < 1.5 && attempt == 1000 {
					continue // 1.0001^1000 is only 1.1
				}
				if got := s.Backoff(attempt); got != maxD {
					t.Errorf("Max %v Multiplier %v: Backoff(%d) = %v, want Max", maxD, mult, attempt, got)
				}
			}
			for _, j := range []backoff.Jitter{backoff.FullJitter, backoff.EqualJitter, backoff.DecorrelatedJitter, backoff.ProportionalJitter} {
				c.Jitter = j
				c.Rand = fixed(0.999999999)
				s := mustNew(t, c)
				for _, attempt := range []int{1000, math.MaxInt} {
					if got := s.Backoff(attempt); got <= 0 || got > maxD {
						t.Errorf("%v Max %v Multiplier %v: Backoff(%d) = %v, want in (0, Max]", j, maxD, mult, attempt, got)
					}
				}
			}
		}
	}
}

// TestRandClamped checks that a misbehaving Rand cannot push a wait out of
// range.
func TestRandClamped(t *testing.T) {
	for _, r := range []float64{-1, 1, 2, math.NaN(), math.Inf(1), math.Inf(-1)} {
		for j := backoff.FullJitter; j <= backoff.NoJitter; j++ {
			s := mustNew(t, backoff.Config{Jitter: j, Rand: fixed(r)})
			for attempt := 0; attempt < 12; attempt++ {
				if d := s.Backoff(attempt); d < 0 || d > 10*time.Second {
					t.Errorf("%v with Rand %v: Backoff(%d) = %v, out of [0, Max]", j, r, attempt, d)
				}
			}
		}
	}
	s := mustNew(t, backoff.Config{Rand: fixed(1)})
	if d := s.Backoff(0); d >= 100*time.Millisecond {
		t.Errorf("FullJitter with Rand 1: Backoff(0) = %v, want < v = 100ms", d)
	}
}

func TestConstant(t *testing.T) {
	for _, tt := range []struct{ in, want time.Duration }{
		{time.Second, time.Second}, {0, 0}, {-time.Second, 0}, {math.MaxInt64, math.MaxInt64},
	} {
		s := backoff.Constant(tt.in)
		for _, attempt := range []int{-1, 0, 1, 50, math.MaxInt} {
			if got := s.Backoff(attempt); got != tt.want {
				t.Errorf("Constant(%v).Backoff(%d) = %v, want %v", tt.in, attempt, got, tt.want)
			}
		}
	}
}

func TestStrategyFunc(t *testing.T) {
	var s backoff.Strategy = backoff.StrategyFunc(func(n int) time.Duration { return time.Duration(n) * time.Second })
	if got := s.Backoff(3); got != 3*time.Second {
		t.Errorf("StrategyFunc.Backoff(3) = %v, want 3s", got)
	}
}

func TestGRPC(t *testing.T) {
	s := backoff.GRPC()
	ranges := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 800 * time.Millisecond, 1200 * time.Millisecond},
		{1, 1280 * time.Millisecond, 1920 * time.Millisecond},
		{2, 2048 * time.Millisecond, 3072 * time.Millisecond},
		{10, 87960930222, 120 * time.Second}, // 1s·1.6^10 = 109.95s, ×0.8
		{11, 96 * time.Second, 120 * time.Second},
		{math.MaxInt, 96 * time.Second, 120 * time.Second},
	}
	var seenHigh, seenLow bool
	for _, r := range ranges {
		for range 2000 {
			d := s.Backoff(r.attempt)
			if d < r.lo || d > r.hi {
				t.Fatalf("GRPC().Backoff(%d) = %v, want in [%v, %v]", r.attempt, d, r.lo, r.hi)
			}
			if r.attempt == 0 {
				seenLow = seenLow || d < 850*time.Millisecond
				seenHigh = seenHigh || d > 1150*time.Millisecond
			}
		}
	}
	if !seenLow || !seenHigh {
		t.Errorf("GRPC().Backoff(0) over 2000 draws did not cover [0.8s, 1.2s] (low %v, high %v): jitter missing?", seenLow, seenHigh)
	}
	// The same configuration with a fixed Rand pins the formula.
	p := mustNew(t, backoff.Config{Base: time.Second, Max: 120 * time.Second, Multiplier: 1.6,
		Jitter: backoff.ProportionalJitter, Spread: 0.2, Rand: fixed(0.5)})
	if got := p.Backoff(1); got != 1600*time.Millisecond {
		t.Errorf("gRPC config Backoff(1) with r=0.5 = %v, want 1.6s", got)
	}
}

func TestDefaults(t *testing.T) {
	// The zero Config is DefaultConfig.
	a := mustNew(t, backoff.Config{Jitter: backoff.NoJitter})
	c := backoff.DefaultConfig()
	c.Jitter = backoff.NoJitter
	b := mustNew(t, c)
	for attempt := 0; attempt < 10; attempt++ {
		if a.Backoff(attempt) != b.Backoff(attempt) {
			t.Errorf("zero Config and DefaultConfig differ at attempt %d", attempt)
		}
	}
	if backoff.DefaultConfig().Jitter != backoff.FullJitter || backoff.Jitter(0) != backoff.FullJitter {
		t.Error("FullJitter is not the zero value / default")
	}
	// A nil Rand uses math/rand/v2: FullJitter values vary and stay in range.
	s := mustNew(t, backoff.Config{})
	seen := map[time.Duration]bool{}
	for range 100 {
		d := s.Backoff(0)
		if d < 0 || d >= 100*time.Millisecond {
			t.Fatalf("default Backoff(0) = %v, want in [0, 100ms)", d)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("default Backoff(0) gave only %d distinct values in 100 draws", len(seen))
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name  string
		c     backoff.Config
		field string
	}{
		{"negative Base", backoff.Config{Base: -1}, "Base"},
		{"negative Max", backoff.Config{Max: -time.Second}, "Max"},
		{"Max below Base", backoff.Config{Base: 2 * time.Second, Max: time.Second}, "Max"},
		{"Max default below Base", backoff.Config{Base: 20 * time.Second}, "Max"},
		{"Multiplier below 1", backoff.Config{Multiplier: 0.5}, "Multiplier"},
		{"negative Multiplier", backoff.Config{Multiplier: -2}, "Multiplier"},
		{"NaN Multiplier", backoff.Config{Multiplier: math.NaN()}, "Multiplier"},
		{"infinite Multiplier", backoff.Config{Multiplier: math.Inf(1)}, "Multiplier"},
		{"negative Spread", backoff.Config{Spread: -0.1}, "Spread"},
		{"Spread 1", backoff.Config{Jitter: backoff.ProportionalJitter, Spread: 1}, "Spread"},
		{"NaN Spread", backoff.Config{Spread: math.NaN()}, "Spread"},
		{"unknown Jitter", backoff.Config{Jitter: backoff.NoJitter + 1}, "Jitter"},
		{"unknown Jitter 255", backoff.Config{Jitter: 255}, "Jitter(255)"},
	}
	for _, tt := range tests {
		s, err := backoff.New(tt.c)
		if err == nil {
			t.Errorf("%s: New(%+v) = %v, nil; want error", tt.name, tt.c, s)
			continue
		}
		if !errors.Is(err, backoff.ErrInvalidConfig) {
			t.Errorf("%s: error %q does not wrap ErrInvalidConfig", tt.name, err)
		}
		if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: error %q does not name %s", tt.name, err, tt.field)
		}
		if s != nil {
			t.Errorf("%s: New returned a non-nil Strategy with an error", tt.name)
		}
	}
	// Boundary values that are valid.
	for _, c := range []backoff.Config{
		{Multiplier: 1},
		{Base: time.Second, Max: time.Second},
		{Spread: 0.999},
		{Jitter: backoff.NoJitter},
	} {
		if _, err := backoff.New(c); err != nil {
			t.Errorf("New(%+v) = %v, want no error", c, err)
		}
	}
}

func TestJitterString(t *testing.T) {
	for j, want := range map[backoff.Jitter]string{
		backoff.FullJitter:         "FullJitter",
		backoff.EqualJitter:        "EqualJitter",
		backoff.DecorrelatedJitter: "DecorrelatedJitter",
		backoff.ProportionalJitter: "ProportionalJitter",
		backoff.NoJitter:           "NoJitter",
		backoff.NoJitter + 1:       "Jitter(5)",
		255:                        "Jitter(255)",
	} {
		if got := j.String(); got != want {
			t.Errorf("Jitter(%d).String() = %q, want %q", uint8(j), got, want)
		}
	}
}

func TestBackoffNoAlloc(t *testing.T) {
	for j := backoff.FullJitter; j <= backoff.NoJitter; j++ {
		s := mustNew(t, backoff.Config{Jitter: j})
		if n := testing.AllocsPerRun(100, func() { s.Backoff(5) }); n != 0 {
			t.Errorf("%v: Backoff allocates %v times per call", j, n)
		}
	}
	c := backoff.Constant(time.Second)
	if n := testing.AllocsPerRun(100, func() { c.Backoff(5) }); n != 0 {
		t.Errorf("Constant: Backoff allocates %v times per call", n)
	}
}

func BenchmarkExponentialFullJitter(b *testing.B) {
	s, err := backoff.New(backoff.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var sink time.Duration
	for i := 0; b.Loop(); i++ {
		sink += s.Backoff(i & 7)
	}
	_ = sink
}
