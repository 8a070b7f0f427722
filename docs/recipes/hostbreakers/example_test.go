package hostbreakers_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// One client, two backends: one healthy, one failing. Each host has its own
// breaker (the default key is the request's host:port), so the failing host's
// breaker opens while the healthy host is served as before. Snapshot reads
// every breaker's state, for a status page or metrics.
func Example() {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	defer healthy.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	// Loopback ports change from run to run: name the hosts for the output.
	name := map[string]string{host(healthy.URL): "healthy", host(failing.URL): "failing"}

	rt, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Off: true}, // one attempt per call, to count them plainly
		Breaker: transport.BreakerConfig{
			MinThroughput: 10,               // judge a host after 10 calls in the window (default 20)
			FailureRatio:  0.5,              // open when half of them failed (the default)
			BreakDuration: 30 * time.Second, // stay open that long, then let one probe through
		},
	})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	var rejected int
	for range 15 {
		for _, u := range []string{healthy.URL, failing.URL} {
			resp, err := client.Get(u)
			var open *breaker.OpenError
			switch {
			case errors.As(err, &open):
				rejected++ // errors.Is(err, breaker.ErrOpen) works too; open.RetryAt says when to come back
			case err != nil:
				panic(err)
			default:
				resp.Body.Close()
			}
		}
	}
	fmt.Println("calls refused by an open breaker:", rejected)

	for _, b := range rt.Snapshot().Breakers {
		fmt.Printf("%s: %s, %d calls, %d failures, %d rejected, open for 30s: %v\n",
			name[b.Name], b.State, b.Calls, b.Failures, b.Rejected, !b.OpenUntil.IsZero())
	}
	// Unordered output:
	// calls refused by an open breaker: 5
	// healthy: closed, 15 calls, 0 failures, 0 rejected, open for 30s: false
	// failing: open, 10 calls, 10 failures, 5 rejected, open for 30s: true
}

// Your own breaker.Group, passed to the stack, to read one host's breaker
// directly and be told of its transitions: the backend fails, the breaker
// opens, the backend recovers, and after BreakDuration one probe closes the
// breaker again.
func Example_recovery() {
	var down atomic.Bool
	down.Store(true)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()

	group, err := breaker.NewGroup(breaker.GroupConfig{
		Breaker: breaker.Config{MinThroughput: 4, BreakDuration: 100 * time.Millisecond},
		OnStateChange: func(c breaker.StateChange) { // called outside every lock: it may read the breaker
			fmt.Println("transition:", c.From, "->", c.To)
		},
	})
	if err != nil {
		panic(err)
	}
	rt, err := transport.New(transport.Config{
		Retry:   transport.RetryConfig{Off: true},
		Breaker: transport.BreakerConfig{Group: group},
	})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}
	get := func() {
		resp, err := client.Get(backend.URL)
		if err == nil {
			resp.Body.Close()
		}
	}

	for range 4 { // MinThroughput failures trip it (a fifth call would wait for the probe)
		get()
	}
	b := group.Get(host(backend.URL)) // the key is the host:port
	fmt.Println("state:", b.State())

	down.Store(false)                  // the backend recovers...
	time.Sleep(150 * time.Millisecond) // ...and the break ends
	get()                              // the probe
	fmt.Println("state:", b.State(), "trips:", b.Snapshot().Trips)
	// Output:
	// transition: closed -> open
	// state: open
	// transition: open -> half-open
	// transition: half-open -> closed
	// state: closed trips: 1
}

// host returns the host:port of a URL: the breaker's key.
func host(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	return u.Host
}
