package faulttest_test

import (
	"math"
	"testing"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

func TestDistributions(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		d    faulttest.Distribution
		u    float64
		want time.Duration
	}{
		{"fixed", faulttest.Fixed(5 * ms), 0.7, 5 * ms},
		{"uniform low", faulttest.Uniform(10*ms, 20*ms), 0, 10 * ms},
		{"uniform mid", faulttest.Uniform(10*ms, 20*ms), 0.5, 15 * ms},
		{"uniform u clamped", faulttest.Uniform(10*ms, 20*ms), 1.5, 20 * ms},
		{"uniform NaN", faulttest.Uniform(10*ms, 20*ms), math.NaN(), 10 * ms},
		{"pareto at u=0 is scale", faulttest.Pareto(10*ms, 2, time.Second), 0, 10 * ms},
		{"pareto median", faulttest.Pareto(10*ms, 1, time.Second), 0.5, 20 * ms}, // (1/2)^-1 = 2
		{"pareto u=0.75 alpha 2", faulttest.Pareto(10*ms, 2, time.Second), 0.75, 20 * ms},
		{"pareto capped", faulttest.Pareto(10*ms, 1, time.Second), 0.999, time.Second},
		{"pareto tail capped near 1", faulttest.Pareto(10*ms, 0.1, time.Second), 1 - 0x1p-53, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Sample(tt.u); got != tt.want {
				t.Errorf("Sample(%v) = %v, want %v", tt.u, got, tt.want)
			}
		})
	}
}

func TestParetoHeavyTail(t *testing.T) {
	d := faulttest.Pareto(time.Millisecond, 1.16, time.Hour)
	var below2, above10 int
	const n = 10000
	for i := range n {
		v := d.Sample((float64(i) + 0.5) / n)
		if v < time.Millisecond {
			t.Fatalf("sample %v below scale", v)
		}
		if v < 2*time.Millisecond {
			below2++
		}
		if v > 10*time.Millisecond {
			above10++
		}
	}
	// P(X < 2·scale) = 1 - 2^-1.16 ≈ 0.553; P(X > 10·scale) = 10^-1.16 ≈ 0.069.
	if below2 < 5400 || below2 > 5650 {
		t.Errorf("%d samples below 2·scale, want ≈ 5530", below2)
	}
	if above10 < 600 || above10 > 780 {
		t.Errorf("%d samples above 10·scale, want ≈ 690", above10)
	}
}
