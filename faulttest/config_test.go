package faulttest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

func TestNewRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name  string
		cfg   faulttest.Config
		field string // a word the message must hold
	}{
		{"no phase", faulttest.Config{}, "Phases"},
		{"probability above 1", always(faulttest.Phase{Reset: 1.5}), "Reset"},
		{"faults past 1", always(faulttest.Phase{Refuse: 0.6, Status: 0.6}), "phase 0"},
		{"negative duration", faulttest.Config{Phases: []faulttest.Phase{{Duration: -time.Second}}}, "Duration"},
		{"zero duration before last", faulttest.Config{Phases: []faulttest.Phase{{}, {}}}, "Duration"},
		{"status code", always(faulttest.Phase{Status: 1, StatusCode: 42}), "StatusCode"},
		{"negative fixed latency", always(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: faulttest.Fixed(-time.Second)}}), "Latency"},
		{"uniform max below min", always(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: faulttest.Uniform(time.Second, time.Millisecond)}}), "Latency"},
		{"pareto without cap", always(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: faulttest.Pareto(time.Millisecond, 1.2, 0)}}), "Latency"},
		{"retry-after control char", always(faulttest.Phase{Status: 1, RetryAfter: "1\n2"}), "RetryAfter"},
		{"negative slow chunk", always(faulttest.Phase{SlowBody: 1, SlowChunk: -1}), "SlowChunk"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := faulttest.New(c.cfg)
			if !errors.Is(err, faulttest.ErrInvalidConfig) {
				t.Fatalf("New = %v, %v; want an error wrapping ErrInvalidConfig", in, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "faulttest: invalid config: ") || strings.Contains(msg, "chaos") {
				t.Errorf("message %q: want this package's prefix and no internal name", msg)
			}
			if !strings.Contains(msg, c.field) {
				t.Errorf("message %q does not name %q", msg, c.field)
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
	b := &okBackend{body: "ok"}
	in := mustNew(t, always(faulttest.Phase{}))
	rt := in.RoundTripper(b)
	for range 20 {
		resp, err := rt.RoundTrip(get(t, t.Context()))
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
