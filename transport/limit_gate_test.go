package transport_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// gateStub answers its first throttled calls 503 with Retry-After: 1 and
// every later one 200, and records when it saw each path.
type gateStub struct {
	throttled int       // calls answered 503
	start     time.Time // of the run

	mu   sync.Mutex
	seen []gateCall // requires mu
}

type gateCall struct {
	path string
	at   time.Duration // since the run's start
}

func (s *gateStub) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, gateCall{req.URL.Path, time.Since(s.start)})
	if len(s.seen) <= s.throttled {
		h := http.Header{"Retry-After": []string{"1"}}
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: h, Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

func (s *gateStub) calls() []gateCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gateCall(nil), s.seen...)
}

// runGate sends /first, which the stub throttles (the gate shuts for a
// tenth of its Retry-After, 100ms), then n calls /w0 … /w(n-1), a
// millisecond apart, which the gate holds; it returns what the stub saw.
// It runs inside a synctest bubble.
func runGate(t *testing.T, cfg transport.LimitConfig, stub *gateStub, n int) []gateCall {
	t.Helper()
	stub.start = time.Now()
	rt := limited(t, cfg, stub)
	if resp, err := get(t, rt, "http://h.test/first"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("first call: %v %v, want the 503", resp, err)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://h.test/w%d", i), nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Errorf("w%d: %v", i, err)
				return
			}
			_ = resp.Body.Close()
		})
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	return stub.calls()
}

// When a pause ends, the request that has waited longest is the probe:
// not whichever of the waiters, woken together, runs first. Each
// throttled probe leaves (its caller gets the 503), and the next pause's
// probe is the next oldest.
func TestGateOldestWaiterTakesTheProbe(t *testing.T) {
	for trial := range 20 {
		synctest.Test(t, func(t *testing.T) {
			const n = 16
			calls := runGate(t, transport.LimitConfig{}, &gateStub{throttled: 4}, n)
			want := []gateCall{
				{"/first", 0},
				{"/w0", 100 * time.Millisecond},  // a tenth of the Retry-After
				{"/w1", 1100 * time.Millisecond}, // the server asked for silence: its Retry-After
				{"/w2", 2100 * time.Millisecond}, // and again
				{"/w3", 3100 * time.Millisecond}, // served: the gate opens
			}
			if len(calls) != n+1 {
				t.Fatalf("trial %d: the stub saw %d calls, want %d", trial, len(calls), n+1)
			}
			for i, w := range want {
				if calls[i] != w {
					t.Fatalf("trial %d: call %d was %v, want %v (the probes go to the oldest waiters)\n%v", trial, i, calls[i], w, calls)
				}
			}
		})
	}
}

// The slow start of the requests the gate lets go is drawn from
// LimitConfig.Rand, once per request when it starts waiting: with a
// source that gives the later comers smaller shares, they reach the
// server first, each at its share of the last pause (1s) after the gate
// opened.
func TestGateSlowStartDrawsFromRand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 8
		var (
			mu    sync.Mutex
			draws int
		)
		cfg := transport.LimitConfig{Rand: func() float64 {
			mu.Lock()
			defer mu.Unlock()
			draws++
			return 0.1 * float64(n+1-draws) // w0 draws 0.8, w7 0.1
		}}
		calls := runGate(t, cfg, &gateStub{throttled: 2}, n)
		if draws != n {
			t.Errorf("Rand was called %d times, want %d: once per request held", draws, n)
		}
		want := []gateCall{{"/first", 0}, {"/w0", 100 * time.Millisecond}, {"/w1", 1100 * time.Millisecond}}
		opened := 1100 * time.Millisecond
		for i := n - 1; i >= 2; i-- {
			share := 0.1 * float64(n-i)
			want = append(want, gateCall{fmt.Sprintf("/w%d", i), opened + time.Duration(share*float64(time.Second))})
		}
		if fmt.Sprint(calls) != fmt.Sprint(want) {
			t.Errorf("the stub saw\n%v\nwant\n%v", calls, want)
		}
	})
}

// A Rand outside [0, 1) is clamped: the held requests still go, within
// the slow start's bound.
func TestGateRandIsClamped(t *testing.T) {
	for _, r := range []float64{-1, 1, 7} {
		synctest.Test(t, func(t *testing.T) {
			calls := runGate(t, transport.LimitConfig{Rand: func() float64 { return r }}, &gateStub{throttled: 2}, 4)
			if len(calls) != 5 {
				t.Fatalf("Rand %v: the stub saw %d calls, want 5", r, len(calls))
			}
			for _, c := range calls[3:] {
				if c.at < 1100*time.Millisecond || c.at >= 2100*time.Millisecond {
					t.Errorf("Rand %v: %v, want within the second after the gate opened at 1.1s", r, c)
				}
			}
		})
	}
}
