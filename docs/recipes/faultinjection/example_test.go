package faultinjection_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/faulttest"
	"github.com/resilient-go/resilient/transport"
)

// Forecasts is "your client code": a small API client over an *http.Client.
type Forecasts struct {
	Client *http.Client
	Base   string
}

// Today returns today's forecast for city.
func (f *Forecasts) Today(ctx context.Context, city string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.Base+"/today?city="+city, nil)
	if err != nil {
		return "", err
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("forecast for %s: %s", city, resp.Status)
	}
	return string(body), nil
}

// weather is the real service's handler, or a fake of it.
var weather = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "sunny in %s", r.URL.Query().Get("city"))
})

// faults is the schedule the tests use: a fifth of the requests reset, a
// fifth answered 503, a tenth delayed by 2s, the rest served. The seed fixes
// the faults: the n-th request of every run draws the same one. It does not
// fix the client's own randomness (the stack's retry jitter): see
// TestSeedReplaysTheRun.
var faults = faulttest.Config{Seed: 3, Phases: []faulttest.Phase{{
	Reset:   0.2,
	Status:  0.2,
	Latency: faulttest.Latency{P: 0.1, Dist: faulttest.Fixed(2 * time.Second)},
}}}

// Over real TCP: faulttest.NewServer injects the faults in front of the
// handler of a loopback server (a reset is a real RST). The client under
// test is built with the recommended stack and a 1s attempt timeout, so a
// delayed attempt is cut off and retried (this example takes about 2s).
func Example() {
	srv, err := faulttest.NewServer(faults, weather)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	rt, err := transport.New(transport.Config{Timeout: transport.TimeoutConfig{Attempt: time.Second}})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	f := &Forecasts{Client: &http.Client{Transport: rt}, Base: srv.URL}

	ok := 0
	for range 20 {
		if _, err := f.Today(context.Background(), "Lisbon"); err == nil {
			ok++
		}
	}
	s := srv.Faults.Stats()
	fmt.Printf("%d of 20 calls succeeded\n", ok)
	fmt.Printf("injected: %d resets, %d 503s, %d delays, in %d requests\n", s.Reset, s.Status, s.Delayed, s.Requests)
	// Output:
	// 20 of 20 calls succeeded
	// injected: 1 resets, 8 503s, 2 delays, in 31 requests
}

// In-process, on a fake clock: the faults sit where the network would be
// (the stack's Base), in front of the handler itself, and testing/synctest
// runs every wait (backoff, latency, attempt timeout) instantly. This is
// the test to write for your own client: fast, deterministic, no sockets.
func TestTodaySurvivesFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in, err := faulttest.New(faults) // inside the bubble, so its clock is fake
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		rt, err := transport.New(transport.Config{
			Base:    in.RoundTripper(handlerTransport{weather}),
			Timeout: transport.TimeoutConfig{Attempt: 300 * time.Millisecond},
		})
		if err != nil {
			t.Fatal(err)
		}
		f := &Forecasts{Client: &http.Client{Transport: rt}, Base: "http://weather.test"}

		start := time.Now()
		ok := 0
		for range 50 {
			got, err := f.Today(t.Context(), "Lisbon")
			switch {
			case err == nil && got == "sunny in Lisbon":
				ok++
			case err == nil:
				t.Fatalf("a call succeeded with %q", got) // e.g. a truncated body taken for an answer
			}
		}
		// 40 % of the attempts fail: retries must hide almost all of it.
		if ok < 45 {
			t.Errorf("%d of 50 calls succeeded, want at least 45", ok)
		}
		s := in.Stats()
		if s.Reset == 0 || s.Status == 0 || s.Delayed == 0 {
			t.Fatalf("the faults were not exercised: %+v", s.Counts)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("50 calls took %v of fake time; the retries wait too long", d)
		}
		t.Logf("%d of 50 calls in %v of fake time; %d requests, %d resets, %d 503s, %d delays", ok, time.Since(start), s.Requests, s.Reset, s.Status, s.Delayed)
	})
}

// The seed covers the faults drawn, not the waits between retries: the
// stack jitters them from math/rand/v2. Here every call is made after the
// previous one ends and the schedule has one phase, so the jitter moves the
// attempts in time but not the faults they draw. Fix the jitter too
// (backoff.Config.Rand) and a whole run replays, down to its timing.
func TestSeedReplaysTheRun(t *testing.T) {
	run := func() (s faulttest.Counts, took time.Duration) {
		synctest.Test(t, func(t *testing.T) {
			in, err := faulttest.New(faults)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			jitter, err := backoff.New(backoff.Config{
				Base: 50 * time.Millisecond,
				Rand: func() float64 { return 0.5 }, // the waits' only random draw
			})
			if err != nil {
				t.Fatal(err)
			}
			rt, err := transport.New(transport.Config{
				Base:    in.RoundTripper(handlerTransport{weather}),
				Timeout: transport.TimeoutConfig{Attempt: 300 * time.Millisecond},
				Retry:   transport.RetryConfig{Backoff: jitter},
			})
			if err != nil {
				t.Fatal(err)
			}
			f := &Forecasts{Client: &http.Client{Transport: rt}, Base: "http://weather.test"}
			start := time.Now()
			for range 50 {
				f.Today(t.Context(), "Lisbon")
			}
			s, took = in.Stats().Counts, time.Since(start)
		})
		return s, took
	}
	s1, took1 := run()
	s2, took2 := run()
	if s1 != s2 || took1 != took2 {
		t.Errorf("two runs with the same seed and jitter differ:\n%+v in %v\n%+v in %v", s1, took1, s2, took2)
	}
}

// handlerTransport serves requests with an http.Handler, in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}
