package chaos_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

func TestNewRejectsBadConfig(t *testing.T) {
	ok := chaos.Phase{Name: "ok", Duration: time.Second}
	tests := []struct {
		name   string
		phases []chaos.Phase
		want   string // in the message: phase and field
	}{
		{"no phases", nil, "Phases"},
		{"negative probability", []chaos.Phase{{Name: "p", Refuse: -0.1}}, `"p"): Refuse`},
		{"probability > 1", []chaos.Phase{{Reset: 1.5}}, `"phase 0"): Reset`},
		{"NaN probability", []chaos.Phase{{Hang: math.NaN()}}, "Hang"},
		{"bad Status probability", []chaos.Phase{{Status: 2}}, "Status"},
		{"bad Truncate probability", []chaos.Phase{{Truncate: -1}}, "Truncate"},
		{"bad SlowBody probability", []chaos.Phase{{SlowBody: 1.01}}, "SlowBody"},
		{"bad latency probability", []chaos.Phase{{Latency: chaos.Latency{P: 1.2, Dist: chaos.Fixed(time.Millisecond)}}}, "Latency.P"},
		{"exclusive sum > 1", []chaos.Phase{{Name: "sum", Refuse: 0.5, Reset: 0.3, Status: 0.3}}, `"sum"): Refuse+Reset`},
		{"negative duration", []chaos.Phase{{Name: "neg", Duration: -time.Second}}, `"neg"): Duration`},
		{"zero duration before last", []chaos.Phase{{Name: "first"}, ok}, `phase 0 ("first"): Duration`},
		{"status code too low", []chaos.Phase{ok, {Name: "s", Status: 1, StatusCode: 99}}, `phase 1 ("s"): StatusCode`},
		{"status code too high", []chaos.Phase{{Status: 0.5, StatusCode: 1000}}, "StatusCode"},
		{"negative status code", []chaos.Phase{{Status: 0.5, StatusCode: -1}}, "StatusCode"},
		{"retry-after control char", []chaos.Phase{{Status: 1, RetryAfter: "2\r\nX-Evil: 1"}}, "RetryAfter"},
		{"negative slow chunk", []chaos.Phase{{SlowBody: 1, SlowChunk: -1}}, "SlowChunk"},
		{"negative slow delay", []chaos.Phase{{SlowBody: 1, SlowDelay: -time.Millisecond}}, "SlowDelay"},
		{"negative fixed latency", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Fixed(-time.Second)}}}, "Latency.Dist"},
		{"uniform max < min", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Uniform(2*time.Second, time.Second)}}}, "Latency.Dist"},
		{"uniform negative min", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Uniform(-time.Second, time.Second)}}}, "Latency.Dist"},
		{"pareto zero scale", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Pareto(0, 1.5, time.Second)}}}, "Latency.Dist"},
		{"pareto zero alpha", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Pareto(time.Millisecond, 0, time.Second)}}}, "Latency.Dist"},
		{"pareto infinite alpha", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Pareto(time.Millisecond, math.Inf(1), time.Second)}}}, "Latency.Dist"},
		{"pareto max < scale", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Pareto(time.Second, 1.5, time.Millisecond)}}}, "Latency.Dist"},
		{"schedule overflow", []chaos.Phase{{Duration: math.MaxInt64}, {Duration: 1}}, "overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := chaos.New(chaos.Config{Phases: tt.phases})
			if !errors.Is(err, chaos.ErrInvalidConfig) {
				t.Fatalf("New = %v, %v; want an error wrapping ErrInvalidConfig", in, err)
			}
			if in != nil {
				t.Errorf("New returned an Injector with error %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestNewAcceptsGoodConfig(t *testing.T) {
	tests := []struct {
		name   string
		phases []chaos.Phase
	}{
		{"zero phase", []chaos.Phase{{}}},
		{"all durations", []chaos.Phase{{Duration: time.Second}, {Duration: time.Second}}},
		{"exclusive sum exactly 1 with rounding", []chaos.Phase{{Refuse: 0.1, Reset: 0.2, Status: 0.7}}},
		{"all faults", []chaos.Phase{{Refuse: 0.1, Reset: 0.1, Hang: 0.1, Status: 0.1, Truncate: 0.1, SlowBody: 0.1}}},
		{"status code ignored without Status", []chaos.Phase{{StatusCode: 42}}},
		{"custom status", []chaos.Phase{{Status: 1, StatusCode: 429, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"}}},
		{"latency P without Dist", []chaos.Phase{{Latency: chaos.Latency{P: 1}}}},
		{"uniform min == max", []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Uniform(time.Second, time.Second)}}}},
		{"pareto", []chaos.Phase{{Latency: chaos.Latency{P: 0.5, Dist: chaos.Pareto(time.Millisecond, 1.16, time.Second)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := chaos.New(chaos.Config{Phases: tt.phases}); err != nil {
				t.Fatalf("New: %v", err)
			}
		})
	}
}
