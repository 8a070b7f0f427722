package breaker_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// TestConfigInvalid checks that each bad field gives an error wrapping
// ErrInvalidConfig that names it.
func TestConfigInvalid(t *testing.T) {
	count := func(size int) breaker.Window { return breaker.Window{Kind: breaker.CountWindow, Size: size} }
	tests := []struct {
		field string
		cfg   breaker.Config
	}{
		{"FailureRatio", breaker.Config{FailureRatio: -0.1}},
		{"FailureRatio", breaker.Config{FailureRatio: 1.01}},
		{"FailureRatio", breaker.Config{FailureRatio: math.NaN()}},
		{"MinThroughput", breaker.Config{MinThroughput: -1}},
		{"MinThroughput", breaker.Config{MinThroughput: 101, Window: count(100)}},
		{"MinThroughput", breaker.Config{Window: count(10)}}, // default 20 > 10
		{"SlowCallDuration", breaker.Config{SlowCallDuration: -time.Second}},
		{"SlowCallRatio", breaker.Config{SlowCallRatio: -1}},
		{"SlowCallRatio", breaker.Config{SlowCallRatio: 2, SlowCallDuration: time.Second}},
		{"SlowCallRatio", breaker.Config{SlowCallRatio: math.Inf(1)}},
		{"Window.Kind", breaker.Config{Window: breaker.Window{Kind: 7}}},
		{"Window.Period", breaker.Config{Window: breaker.Window{Period: -time.Second}}},
		{"Window.Buckets", breaker.Config{Window: breaker.Window{Buckets: -1}}},
		{"Window.Buckets", breaker.Config{Window: breaker.Window{Buckets: 1001, Period: time.Hour}}},
		{"Window.Buckets", breaker.Config{Window: breaker.Window{Period: 5 * time.Millisecond, Buckets: 10}}},
		{"Window.Size", breaker.Config{Window: breaker.Window{Size: 50}}}, // forgot Kind
		{"Window.Size", breaker.Config{Window: count(-1)}},
		{"Window.Size", breaker.Config{Window: count(1<<20 + 1)}},
		{"Window.Period", breaker.Config{Window: breaker.Window{Kind: breaker.CountWindow, Period: time.Second}}},
		{"BreakDuration", breaker.Config{BreakDuration: -1}},
		{"HalfOpenProbes", breaker.Config{HalfOpenProbes: -1}},
		{"HalfOpenProbes", breaker.Config{HalfOpenProbes: 1<<30 + 1}},
		{"HalfOpenSuccesses", breaker.Config{HalfOpenSuccesses: -1}},
		{"HalfOpenSuccesses", breaker.Config{HalfOpenSuccesses: 1<<30 + 1}},
	}
	for _, tt := range tests {
		b, err := breaker.New(tt.cfg)
		if b != nil || !errors.Is(err, breaker.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, %v; want ErrInvalidConfig", tt.cfg, b, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("New(%+v): %q does not name %s", tt.cfg, err, tt.field)
		}
		g, err := breaker.NewGroup(breaker.GroupConfig{Breaker: tt.cfg})
		if g != nil || !errors.Is(err, breaker.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("NewGroup(%+v) = %v, %v; want ErrInvalidConfig naming %s", tt.cfg, g, err, tt.field)
		}
	}
}

// TestConfigValid checks configurations at the edges that must be
// accepted, DefaultConfig included.
func TestConfigValid(t *testing.T) {
	for _, c := range []breaker.Config{
		{},
		breaker.DefaultConfig(),
		{FailureRatio: 1, SlowCallRatio: 1, SlowCallDuration: time.Nanosecond},
		{MinThroughput: 1, ConsecutiveFailures: 1, HalfOpenProbes: 1 << 30, HalfOpenSuccesses: 1},
		{SlowCallRatio: 0.3}, // ignored without SlowCallDuration
		{Window: breaker.Window{Kind: breaker.CountWindow, Size: 1}, MinThroughput: 1},
		{Window: breaker.Window{Kind: breaker.CountWindow, Size: 1 << 20}},
		{Window: breaker.Window{Period: time.Second, Buckets: 1000}},
		{Window: breaker.Window{Period: time.Hour, Buckets: 1}},
		{HalfOpenProbes: 2, HalfOpenSuccesses: 10},
	} {
		if _, err := breaker.New(c); err != nil {
			t.Errorf("New(%+v): %v", c, err)
		}
	}
}

// TestGroupConfigInvalid checks the Group's own fields.
func TestGroupConfigInvalid(t *testing.T) {
	for field, c := range map[string]breaker.GroupConfig{
		"MaxKeys":   {MaxKeys: -1},
		"IdleAfter": {IdleAfter: -time.Second},
	} {
		if _, err := breaker.NewGroup(c); !errors.Is(err, breaker.ErrInvalidConfig) || !strings.Contains(err.Error(), field) {
			t.Errorf("NewGroup(%+v): %v; want ErrInvalidConfig naming %s", c, err, field)
		}
	}
}

// TestDefaults checks that the zero Config behaves as DefaultConfig says.
func TestDefaults(t *testing.T) {
	d := breaker.DefaultConfig()
	if d.FailureRatio != 0.5 || d.MinThroughput != 20 || d.BreakDuration != 0 || d.BreakBackoff != breaker.DefaultBreakBackoff() || d.MaxWaiters != 512 ||
		d.Window != (breaker.Window{Kind: breaker.TimeWindow, Period: 10 * time.Second, Buckets: 10}) ||
		d.HalfOpenProbes != 1 || d.HalfOpenSuccesses != 1 || d.SlowCallRatio != 1 || d.SlowCallDuration != 0 {
		t.Fatalf("DefaultConfig %+v", d)
	}
}

func TestStrings(t *testing.T) {
	for v, want := range map[interface{ String() string }]string{
		breaker.Closed:         "closed",
		breaker.Open:           "open",
		breaker.HalfOpen:       "half-open",
		breaker.Isolated:       "isolated",
		breaker.Disabled:       "disabled",
		breaker.State(9):       "state(9)",
		breaker.Success:        "success",
		breaker.Failure:        "failure",
		breaker.Ignored:        "ignored",
		breaker.Outcome(5):     "outcome(5)",
		breaker.TimeWindow:     "TimeWindow",
		breaker.CountWindow:    "CountWindow",
		breaker.WindowKind(12): "WindowKind(12)",
	} {
		if got := v.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// TestConsecutiveFailuresDefault: ten failures in a row trip the zero
// Config's breaker whatever the window holds; a negative value turns it
// off.
func TestConsecutiveFailuresDefault(t *testing.T) {
	b := mustNew(t, breaker.Config{})
	outcomes(t, b, breaker.Success, 100)
	outcomes(t, b, breaker.Failure, 9)
	if s := b.State(); s != breaker.Closed {
		t.Fatalf("after 100 successes and 9 failures: %v, want closed", s)
	}
	outcomes(t, b, breaker.Failure, 1)
	if s := b.State(); s != breaker.Open {
		t.Fatalf("after a 10th failure in a row: %v, want open", s)
	}
	off := mustNew(t, breaker.Config{ConsecutiveFailures: -1})
	outcomes(t, off, breaker.Success, 100)
	outcomes(t, off, breaker.Failure, 50)
	if s := off.State(); s != breaker.Closed {
		t.Fatalf("ConsecutiveFailures -1, 50 failures after 100 successes: %v, want closed", s)
	}
}
