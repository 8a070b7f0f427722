package faulttest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

// get returns a GET request for the in-process backend under ctx.
func get(t testing.TB, ctx context.Context) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestRoundTripperFaults(t *testing.T) {
	cases := []struct {
		name  string
		phase faulttest.Phase
		check func(t *testing.T, resp *http.Response, err error, s faulttest.Counts)
	}{
		{"refuse", faulttest.Phase{Refuse: 1}, func(t *testing.T, resp *http.Response, err error, s faulttest.Counts) {
			if !errors.Is(err, syscall.ECONNREFUSED) || s.Refused != 1 {
				t.Errorf("err %v, refused %d; want ECONNREFUSED counted once", err, s.Refused)
			}
		}},
		{"reset", faulttest.Phase{Reset: 1}, func(t *testing.T, resp *http.Response, err error, s faulttest.Counts) {
			if !errors.Is(err, syscall.ECONNRESET) || s.Reset != 1 {
				t.Errorf("err %v, reset %d; want ECONNRESET counted once", err, s.Reset)
			}
		}},
		{"status with retry-after", faulttest.Phase{Status: 1, StatusCode: http.StatusTooManyRequests, RetryAfter: "7"}, func(t *testing.T, resp *http.Response, err error, s faulttest.Counts) {
			if err != nil {
				t.Fatalf("err %v; a status is a response, never an error", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || s.Status != 1 || s.Passed != 0 {
				t.Errorf("status %d, Retry-After %q, counts %+v; want 429 with 7, not passed", resp.StatusCode, resp.Header.Get("Retry-After"), s)
			}
		}},
		{"default status", faulttest.Phase{Status: 1}, func(t *testing.T, resp *http.Response, err error, s faulttest.Counts) {
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != faulttest.DefaultStatusCode || resp.Header.Get("Retry-After") != "" {
				t.Errorf("status %d, Retry-After %q; want %d, none", resp.StatusCode, resp.Header.Get("Retry-After"), faulttest.DefaultStatusCode)
			}
		}},
		{"truncate", faulttest.Phase{Truncate: 1}, func(t *testing.T, resp *http.Response, err error, s faulttest.Counts) {
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, rerr := io.ReadAll(resp.Body)
			if !errors.Is(rerr, io.ErrUnexpectedEOF) || len(body) != 5 || s.Passed != 1 || s.Truncated != 1 {
				t.Errorf("read %q, %v, counts %+v; want half the body then ErrUnexpectedEOF", body, rerr, s)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &okBackend{body: "0123456789"}
			in := mustNew(t, always(c.phase))
			resp, err := in.RoundTripper(b).RoundTrip(get(t, t.Context()))
			c.check(t, resp, err, in.Stats().Counts)
		})
	}
}

func TestLatencyAndSlowBodyOnFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, always(faulttest.Phase{
			Latency:   faulttest.Latency{P: 1, Dist: faulttest.Fixed(300 * time.Millisecond)},
			SlowBody:  1,
			SlowChunk: 4,
			SlowDelay: 50 * time.Millisecond,
		}))
		start := time.Now()
		resp, err := in.RoundTripper(&okBackend{body: "0123456789ab"}).RoundTrip(get(t, t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 300*time.Millisecond {
			t.Errorf("headers after %v, want the fixed latency 300ms", d)
		}
		defer resp.Body.Close()
		buf := make([]byte, 64)
		n, err := resp.Body.Read(buf)
		if err != nil || n != 4 {
			t.Fatalf("first read = %d, %v; want one chunk of 4 bytes", n, err)
		}
		rest, err := io.ReadAll(resp.Body)
		if err != nil || string(buf[:n])+string(rest) != "0123456789ab" {
			t.Fatalf("body %q, %v; want it whole", string(buf[:n])+string(rest), err)
		}
		if d := time.Since(start); d != 300*time.Millisecond+3*50*time.Millisecond {
			t.Errorf("body read after %v, want latency plus three slow chunks (450ms)", d)
		}
		if s := in.Stats(); s.Delayed != 1 || s.Slowed != 1 {
			t.Errorf("counts %+v; want one delayed, one slowed", s.Counts)
		}
	})
}

// A Distribution of the caller's own is used as it is.
type halfSecond struct{}

func (halfSecond) Sample(float64) time.Duration { return 500 * time.Millisecond }

func TestCustomDistributionAndContextDuringLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &okBackend{}
		in := mustNew(t, always(faulttest.Phase{Latency: faulttest.Latency{P: 1, Dist: halfSecond{}}}))
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := in.RoundTripper(b).RoundTrip(get(t, ctx))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 200*time.Millisecond {
			t.Fatalf("err %v after %v; want the context's deadline at 200ms", err, time.Since(start))
		}
		if b.calls.Load() != 0 {
			t.Errorf("backend called %d times; want none", b.calls.Load())
		}
	})
}

func TestHangUntilContextOrClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, always(faulttest.Phase{Hang: 1}))
		rt := in.RoundTripper(&okBackend{})

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if _, err := rt.RoundTrip(get(t, ctx)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v; want the deadline", err)
		}

		done := make(chan error, 1)
		go func() {
			_, err := rt.RoundTrip(get(t, context.Background()))
			done <- err
		}()
		synctest.Wait() // the request is hanging
		in.Close()
		if err := <-done; !errors.Is(err, faulttest.ErrClosed) {
			t.Fatalf("err %v; want ErrClosed after Close", err)
		}
		if s := in.Stats(); s.Hung != 2 {
			t.Errorf("hung %d, want 2", s.Hung)
		}
	})
}

// outcome runs one request and names what it got.
func outcome(t *testing.T, rt http.RoundTripper) string {
	t.Helper()
	resp, err := rt.RoundTrip(get(t, t.Context()))
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case err != nil:
		return err.Error()
	}
	resp.Body.Close()
	return resp.Status
}

func TestSeedReplaysTheSameFaults(t *testing.T) {
	cfg := faulttest.Config{Seed: 42, Phases: []faulttest.Phase{{Reset: 0.3, Status: 0.3}}}
	run := func(in *faulttest.Injector) string {
		rt := in.RoundTripper(&okBackend{})
		var got []string
		for range 40 {
			got = append(got, outcome(t, rt))
		}
		return strings.Join(got, ",")
	}
	a := mustNew(t, cfg)
	first := run(a)
	if second := run(mustNew(t, cfg)); second != first {
		t.Fatalf("same seed, different faults:\n%s\n%s", first, second)
	}
	a.Restart()
	if again := run(a); again != first {
		t.Fatalf("Restart did not replay the faults:\n%s\n%s", first, again)
	}
	if s := a.Stats(); s.Requests != 80 {
		t.Errorf("requests %d after a Restart, want 80 (stats are kept)", s.Requests)
	}
	cfg.Seed = 43
	if other := run(mustNew(t, cfg)); other == first {
		t.Errorf("seeds 42 and 43 drew the same 40 faults")
	}
	if !strings.Contains(first, "reset") || !strings.Contains(first, "503") || !strings.Contains(first, "200") {
		t.Errorf("40 requests at 30 %% resets and 30 %% 503s drew %s", first)
	}
}

func TestScheduleWalksPhasesWithStats(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := mustNew(t, faulttest.Config{
		Now: func() time.Time { return now },
		Phases: []faulttest.Phase{
			{Name: "outage", Duration: time.Minute, Refuse: 1},
			{Name: "healthy"},
		},
	})
	rt := in.RoundTripper(&okBackend{})
	for range 3 {
		if _, err := rt.RoundTrip(get(t, t.Context())); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("outage: err %v, want refused", err)
		}
	}
	now = now.Add(time.Minute)
	if got := in.Phase(); got != "healthy" {
		t.Fatalf("Phase() = %q after a minute, want healthy", got)
	}
	resp, err := rt.RoundTrip(get(t, t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := in.Stats()
	want := []faulttest.PhaseStats{
		{Name: "outage", Counts: faulttest.Counts{Requests: 3, Refused: 3}},
		{Name: "healthy", Counts: faulttest.Counts{Requests: 1, Passed: 1}},
	}
	if len(s.Phases) != 2 || s.Phases[0] != want[0] || s.Phases[1] != want[1] {
		t.Fatalf("per-phase stats %+v, want %+v", s.Phases, want)
	}
	if s.Requests != 4 || s.Refused != 3 || s.Passed != 1 {
		t.Errorf("totals %+v", s.Counts)
	}
}
