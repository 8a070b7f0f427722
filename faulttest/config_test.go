package faulttest_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

func TestNewRejectsBadConfig(t *testing.T) {
	ok := faulttest.Phase{Name: "ok", Duration: time.Second}
	tests := []struct {
		name   string
		phases []faulttest.Phase
		want   string // in the message: phase and field
	}{
		{"no phases", nil, "Phases"},
		{"negative probability", []faulttest.Phase{{Name: "p", Refuse: -0.1}}, `"p"): Refuse`},
		{"probability > 1", []faulttest.Phase{{Reset: 1.5}}, `"phase 0"): Reset`},
		{"NaN probability", []faulttest.Phase{{Hang: math.NaN()}}, "Hang"},
		{"bad Status probability", []faulttest.Phase{{Status: 2}}, "Status"},
		{"bad Truncate probability", []faulttest.Phase{{Truncate: -1}}, "Truncate"},
		{"bad SlowBody probability", []faulttest.Phase{{SlowBody: 1.01}}, "SlowBody"},
		{"bad latency probability", []faulttest.Phase{{Latency: faulttest.Latency{P: 1.2, Dist: faulttest.Fixed(time.Millisecond)}}}, "Latency.P"},
		{"exclusive sum > 1", []faulttest.Phase{{Name: "sum", Refuse: 0.5, Reset: 0.3, Status: 0.3}}, `"sum"): Refuse+Reset`},
		{"negative duration", []faulttest.Phase{{Name: "neg", Duration: -time.Second}}, `"neg"): Duration`},
		{"zero duration before last", []faulttest.Phase{{Name: "first"}, ok}, `phase 0 ("first"): Duration`},
		{"status code too low", []faulttest.Phase{ok, {Name: "s", Status: 1, StatusCode: 99}}, `phase 1 ("s"): StatusCode`},
		{"status code too high", []faulttest.Phase{{Status: 0.5, StatusCode: 1000}}, "StatusCode"},
		{"negative status code", []faulttest.Phase{{Status: 0.5, StatusCode: -1}}, "StatusCode"},
		{"retry-after control char", []faulttest.Phase{{Status: 1, RetryAfter: "2\r\nX-Evil: 1"}}, "RetryAfter"},
		{"negative slow chunk", []faulttest.Phase{{SlowBody: 1, SlowChunk: -1}}, "SlowChunk"},
		{"negative slow delay", []faulttest.Phase{{SlowBody: 1, SlowDelay: -time.Millisecond}}, "SlowDelay"},
		{"negative fixed latency", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Fixed(-time.Second)}}}, "Latency.Dist"},
		{"uniform max < min", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Uniform(2*time.Second, time.Second)}}}, "Latency.Dist"},
		{"uniform negative min", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Uniform(-time.Second, time.Second)}}}, "Latency.Dist"},
		{"pareto zero scale", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Pareto(0, 1.5, time.Second)}}}, "Latency.Dist"},
		{"pareto zero alpha", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Pareto(time.Millisecond, 0, time.Second)}}}, "Latency.Dist"},
		{"pareto infinite alpha", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Pareto(time.Millisecond, math.Inf(1), time.Second)}}}, "Latency.Dist"},
		{"pareto max < scale", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Pareto(time.Second, 1.5, time.Millisecond)}}}, "Latency.Dist"},
		{"schedule overflow", []faulttest.Phase{{Duration: math.MaxInt64}, {Duration: 1}}, "overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := faulttest.New(faulttest.Config{Phases: tt.phases})
			if !errors.Is(err, faulttest.ErrInvalidConfig) {
				t.Fatalf("New = %v, %v; want an error wrapping ErrInvalidConfig", in, err)
			}
			if in != nil {
				t.Errorf("New returned an Injector with error %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "faulttest: invalid config: ") || strings.Contains(msg, "chaos") {
				t.Errorf("message %q: want this package's prefix and no internal name", msg)
			}
		})
	}
}

func TestNewAcceptsGoodConfig(t *testing.T) {
	tests := []struct {
		name   string
		phases []faulttest.Phase
	}{
		{"zero phase", []faulttest.Phase{{}}},
		{"all durations", []faulttest.Phase{{Duration: time.Second}, {Duration: time.Second}}},
		{"exclusive sum exactly 1 with rounding", []faulttest.Phase{{Refuse: 0.1, Reset: 0.2, Status: 0.7}}},
		{"all faults", []faulttest.Phase{{Refuse: 0.1, Reset: 0.1, Hang: 0.1, Status: 0.1, Truncate: 0.1, SlowBody: 0.1}}},
		{"status code ignored without Status", []faulttest.Phase{{StatusCode: 42}}},
		{"custom status", []faulttest.Phase{{Status: 1, StatusCode: 429, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"}}},
		{"latency P without Dist", []faulttest.Phase{{Latency: faulttest.Latency{P: 1}}}},
		{"uniform min == max", []faulttest.Phase{{Latency: faulttest.Latency{P: 1, Dist: faulttest.Uniform(time.Second, time.Second)}}}},
		{"pareto", []faulttest.Phase{{Latency: faulttest.Latency{P: 0.5, Dist: faulttest.Pareto(time.Millisecond, 1.16, time.Second)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := faulttest.New(faulttest.Config{Phases: tt.phases}); err != nil {
				t.Fatalf("New: %v", err)
			}
		})
	}
}

func TestNewServerRejectsBadConfig(t *testing.T) {
	srv, err := faulttest.NewServer(faulttest.Config{}, nil)
	if !errors.Is(err, faulttest.ErrInvalidConfig) || srv != nil {
		t.Fatalf("NewServer = %v, %v; want nil and ErrInvalidConfig", srv, err)
	}
}

func TestSingleZeroPhaseInjectsNothing(t *testing.T) {
	b := newStub("ok")
	in := mustNew(t, one(faulttest.Phase{}))
	rt := in.RoundTripper(b)
	for range 20 {
		req, _ := newRequest(t, t.Context())
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	s := in.Stats()
	if s.Requests != 20 || s.Passed != 20 || b.calls.Load() != 20 {
		t.Fatalf("stats %+v, backend calls %d; want 20 passed", s.Counts, b.calls.Load())
	}
	if got := in.Phase(); got != "phase 0" {
		t.Errorf("Phase() = %q, want the default name %q", got, "phase 0")
	}
}
