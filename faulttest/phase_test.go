package faulttest_test

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

// get sends one request and names what it got: "ok", "refused" or the status.
func get(t *testing.T, rt http.RoundTripper) string {
	t.Helper()
	req, _ := newRequest(t, context.Background())
	resp, err := rt.RoundTrip(req)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case err != nil:
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return "ok"
	}
	return resp.Status
}

// All time.Sleep calls below run inside synctest bubbles: fake time.

func TestScheduleSwitchesAtDurations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, faulttest.Config{Phases: []faulttest.Phase{
			{Name: "healthy", Duration: time.Second},
			{Name: "outage", Duration: 2 * time.Second, Refuse: 1},
			{Name: "brownout", Duration: time.Second, Status: 1},
			{Name: "recovery"},
		}})
		rt := in.RoundTripper(newStub(""))
		steps := []struct {
			at         time.Duration // since the start
			phase, got string
		}{
			{0, "healthy", "ok"},
			{999 * time.Millisecond, "healthy", "ok"},
			{time.Second, "outage", "refused"},
			{2999 * time.Millisecond, "outage", "refused"},
			{3 * time.Second, "brownout", "503 Service Unavailable"},
			{4 * time.Second, "recovery", "ok"},
			{time.Hour, "recovery", "ok"},
		}
		start := time.Now()
		for _, s := range steps {
			time.Sleep(s.at - time.Since(start))
			if p := in.Phase(); p != s.phase {
				t.Errorf("at %v: Phase() = %q, want %q", s.at, p, s.phase)
			}
			if got := get(t, rt); got != s.got {
				t.Errorf("at %v: request got %q, want %q", s.at, got, s.got)
			}
		}
		st := in.Stats()
		want := []faulttest.PhaseStats{
			{Name: "healthy", Counts: faulttest.Counts{Requests: 2, Passed: 2}},
			{Name: "outage", Counts: faulttest.Counts{Requests: 2, Refused: 2}},
			{Name: "brownout", Counts: faulttest.Counts{Requests: 1, Status: 1}},
			{Name: "recovery", Counts: faulttest.Counts{Requests: 2, Passed: 2}},
		}
		for i := range want {
			if st.Phases[i] != want[i] {
				t.Errorf("Stats.Phases[%d] = %+v, want %+v", i, st.Phases[i], want[i])
			}
		}
		if st.Counts != (faulttest.Counts{Requests: 7, Passed: 4, Refused: 2, Status: 1}) {
			t.Errorf("Stats totals = %+v", st.Counts)
		}
	})
}

func TestScheduleStaysInLastPhase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, faulttest.Config{Phases: []faulttest.Phase{
			{Duration: time.Second},
			{Duration: time.Second, Refuse: 1},
		}})
		if p := in.Phase(); p != "phase 0" {
			t.Errorf("Phase() = %q, want the default name %q", p, "phase 0")
		}
		time.Sleep(time.Hour)
		if p := in.Phase(); p != "phase 1" {
			t.Errorf("after the schedule: Phase() = %q, want %q", p, "phase 1")
		}
		if got := get(t, in.RoundTripper(newStub(""))); got != "refused" {
			t.Errorf("after the schedule: %q, want refused", got)
		}
	})
}

func TestRestartSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, faulttest.Config{Phases: []faulttest.Phase{
			{Name: "warmup", Duration: time.Minute},
			{Name: "outage", Refuse: 1},
		}})
		time.Sleep(90 * time.Second)
		if p := in.Phase(); p != "outage" {
			t.Fatalf("Phase() = %q, want outage", p)
		}
		in.Restart()
		if p := in.Phase(); p != "warmup" {
			t.Errorf("after Restart: Phase() = %q, want warmup", p)
		}
		time.Sleep(time.Minute - time.Nanosecond)
		if p := in.Phase(); p != "warmup" {
			t.Errorf("1m-1ns after Restart: Phase() = %q, want warmup", p)
		}
		time.Sleep(time.Nanosecond)
		if p := in.Phase(); p != "outage" {
			t.Errorf("1m after Restart: Phase() = %q, want outage", p)
		}
	})
}

func TestScheduleUsesConfigNow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := mustNew(t, faulttest.Config{
		Now: func() time.Time { return now },
		Phases: []faulttest.Phase{
			{Name: "one", Duration: time.Minute},
			{Name: "two"},
		},
	})
	if p := in.Phase(); p != "one" {
		t.Errorf("Phase() = %q, want one", p)
	}
	now = now.Add(time.Minute)
	if p := in.Phase(); p != "two" {
		t.Errorf("a minute later: Phase() = %q, want two", p)
	}
	now = now.Add(-time.Hour) // a clock that went back: the first phase
	if p := in.Phase(); p != "one" {
		t.Errorf("before the start: Phase() = %q, want one", p)
	}
}
