package faulttest_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

func TestProbabilities(t *testing.T) {
	const n = 10000
	for _, seed := range []uint64{0, 1, 42} {
		in := mustNew(t, faulttest.Config{Seed: seed, Phases: []faulttest.Phase{{Refuse: 0.3, Status: 0.2}}})
		rt := in.RoundTripper(newStub("ok"))
		var refused, status, ok int
		for range n {
			req, _ := newRequest(t, context.Background())
			resp, err := rt.RoundTrip(req)
			switch {
			case errors.Is(err, syscall.ECONNREFUSED):
				refused++
			case err != nil:
				t.Fatal(err)
			case resp.StatusCode == http.StatusServiceUnavailable:
				status++
				resp.Body.Close()
			default:
				ok++
				resp.Body.Close()
			}
		}
		// σ = √(n·p·(1-p)) ≈ 46 for p = 0.3: ±300 is 6.5σ.
		for _, c := range []struct {
			name string
			got  int
			p    float64
		}{{"refused", refused, 0.3}, {"status", status, 0.2}, {"ok", ok, 0.5}} {
			if want := c.p * n; math.Abs(float64(c.got)-want) > 300 {
				t.Errorf("seed %d: %s %d of %d, want ≈ %v", seed, c.name, c.got, n, want)
			}
		}
		st := in.Stats()
		if st.Requests != n || st.Refused != uint64(refused) || st.Status != uint64(status) || st.Passed != uint64(ok) {
			t.Errorf("seed %d: Stats = %+v, want %d requests, %d refused, %d status, %d passed", seed, st.Counts, n, refused, status, ok)
		}
	}
}

func TestLatencyProbability(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 10000
		in := mustNew(t, one(faulttest.Phase{Latency: faulttest.Latency{P: 0.3, Dist: faulttest.Fixed(time.Millisecond)}}))
		rt := in.RoundTripper(newStub(""))
		start := time.Now()
		for range n {
			req, _ := newRequest(t, context.Background())
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		delayed := in.Stats().Delayed
		if math.Abs(float64(delayed)-0.3*n) > 300 {
			t.Errorf("%d of %d delayed, want ≈ 3000", delayed, n)
		}
		if got, want := time.Since(start), time.Duration(delayed)*time.Millisecond; got != want {
			t.Errorf("total latency %v, want %v (Delayed × 1ms)", got, want)
		}
	})
}

// outcome is what one request got, as the caller sees it.
type outcome struct {
	kind    string
	latency time.Duration
}

// trace runs n requests in sequence through an injector seeded with seed,
// in a synctest bubble, and returns what each got.
func trace(t *testing.T, seed uint64, n int) []outcome {
	t.Helper()
	var out []outcome
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, faulttest.Config{Seed: seed, Phases: []faulttest.Phase{{
			Latency:  faulttest.Latency{P: 0.3, Dist: faulttest.Uniform(time.Millisecond, 100*time.Millisecond)},
			Refuse:   0.1,
			Reset:    0.1,
			Hang:     0.1,
			Status:   0.1,
			Truncate: 0.1,
			SlowBody: 0.1,
		}}})
		rt := in.RoundTripper(newStub("0123456789"))
		for range n {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			req, _ := newRequest(t, ctx)
			start := time.Now()
			resp, err := rt.RoundTrip(req)
			o := outcome{latency: time.Since(start)}
			switch {
			case errors.Is(err, syscall.ECONNREFUSED):
				o.kind = "refused"
			case errors.Is(err, syscall.ECONNRESET):
				o.kind = "reset"
			case errors.Is(err, context.DeadlineExceeded):
				o.kind = "hung"
			case err != nil:
				t.Fatal(err)
			case resp.StatusCode != http.StatusOK:
				o.kind = resp.Status
			default:
				b, err := io.ReadAll(resp.Body)
				switch {
				case errors.Is(err, io.ErrUnexpectedEOF):
					o.kind = "truncated"
				case err != nil:
					t.Fatal(err)
				case time.Since(start) > o.latency:
					o.kind = "slow " + string(b)
				default:
					o.kind = "ok " + string(b)
				}
			}
			if resp != nil {
				resp.Body.Close()
			}
			cancel()
			out = append(out, o)
		}
	})
	return out
}

func TestSameSeedSameFaults(t *testing.T) {
	const n = 500
	a, b := trace(t, 7, n), trace(t, 7, n)
	if !slices.Equal(a, b) {
		t.Fatal("two injectors with the same seed gave different sequences")
	}
	kinds := map[string]int{}
	var delayed int
	for _, o := range a {
		kinds[o.kind]++
		if o.latency > 0 && o.kind != "hung" {
			delayed++
		}
	}
	for _, k := range []string{"refused", "reset", "hung", "503 Service Unavailable", "truncated", "slow 0123456789", "ok 0123456789"} {
		if kinds[k] == 0 {
			t.Errorf("no %q in %d requests: %v", k, n, kinds)
		}
	}
	if delayed == 0 {
		t.Error("no request delayed")
	}
	if c := trace(t, 8, n); slices.Equal(a, c) {
		t.Error("seeds 7 and 8 gave the same sequence")
	}
}

func TestRestartReseeds(t *testing.T) {
	in := mustNew(t, faulttest.Config{Seed: 3, Phases: []faulttest.Phase{{Refuse: 0.5}}})
	rt := in.RoundTripper(newStub(""))
	run := func() []bool {
		var refused []bool
		for range 64 {
			req, _ := newRequest(t, context.Background())
			resp, err := rt.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			refused = append(refused, err != nil)
		}
		return refused
	}
	first := run()
	in.Restart()
	if again := run(); !slices.Equal(first, again) {
		t.Errorf("after Restart: %v, want the first run again %v", again, first)
	}
	if in.Stats().Requests != 128 {
		t.Errorf("Requests = %d after Restart, want 128 (stats are kept)", in.Stats().Requests)
	}
}

func TestConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := mustNew(t, faulttest.Config{Seed: 9, Phases: []faulttest.Phase{
			{Name: "a", Duration: 5 * time.Millisecond, Latency: faulttest.Latency{P: 0.1, Dist: faulttest.Fixed(time.Millisecond)}, Refuse: 0.2, Reset: 0.2, Status: 0.2, Truncate: 0.2},
			{Name: "b", Latency: faulttest.Latency{P: 0.5, Dist: faulttest.Fixed(time.Millisecond)}, Hang: 0.2, SlowBody: 0.2},
		}})
		rt := in.RoundTripper(newStub("0123456789"))
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 100 {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
					req, _ := newRequest(t, ctx)
					if resp, err := rt.RoundTrip(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					_ = in.Phase()
					_ = in.Stats()
					cancel()
				}
			})
		}
		wg.Wait()
		st := in.Stats()
		if st.Requests != 1600 {
			t.Errorf("Requests = %d, want 1600", st.Requests)
		}
		// Every request is accounted for once, but those whose context
		// ended during their latency.
		answered := st.Passed + st.Refused + st.Reset + st.Hung + st.Status
		if answered > st.Requests || answered < st.Requests-st.Delayed {
			t.Errorf("Stats do not add up: %+v", st.Counts)
		}
		var sum faulttest.Counts
		for _, p := range st.Phases {
			sum.Requests += p.Requests
		}
		if sum.Requests != st.Requests || st.Phases[0].Requests == 0 || st.Phases[1].Requests == 0 {
			t.Errorf("per-phase Requests %+v do not add up to %d", st.Phases, st.Requests)
		}
	})
}
