package transport_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// A client that retries a flaky backend: the first two calls fail with 503,
// the third succeeds.
func ExampleRetry() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()

	retry, err := transport.Retry(transport.RetryConfig{
		MaxAttempts: 4,
		Backoff:     backoff.Constant(0), // no wait, for the example
		Hooks: transport.RetryHooks{
			OnRetry: func(e transport.RetryEvent) {
				fmt.Printf("attempt %d: %d (%s), retrying\n", e.Attempt, e.StatusCode, e.Verdict.Reason)
			},
		},
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: transport.Chain(nil, retry)}

	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// attempt 1: 503 (server_error), retrying
	// attempt 2: 503 (server_error), retrying
	// 200 hello
}

// Middlewares run in the order given: the first is the outermost.
func ExampleChain() {
	logging := func(name string) transport.Middleware {
		return func(next http.RoundTripper) http.RoundTripper {
			return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				fmt.Println("enter", name)
				defer fmt.Println("leave", name)
				return next.RoundTrip(r)
			})
		}
	}
	base := transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		fmt.Println("base")
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	})
	rt := transport.Chain(base, logging("outer"), logging("inner"))
	req, _ := http.NewRequest(http.MethodGet, "http://example.test/", nil)
	if _, err := rt.RoundTrip(req); err != nil {
		panic(err)
	}
	// Output:
	// enter outer
	// enter inner
	// base
	// leave inner
	// leave outer
}

// A custom classifier: this API signals overload with 409 Conflict and a
// Retry-After, which the default treats as a permanent answer.
func ExampleClassifierFunc() {
	classify := transport.ClassifierFunc(func(req *http.Request, resp *http.Response, err error) transport.Verdict {
		if err == nil && resp.StatusCode == http.StatusConflict {
			return transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonThrottled}
		}
		return transport.DefaultClassifier().Classify(req, resp, err)
	})
	req, _ := http.NewRequest(http.MethodGet, "http://example.test/", nil)
	v := classify.Classify(req, &http.Response{StatusCode: http.StatusConflict}, nil)
	fmt.Println(v.Outcome, v.Retryable, v.Reason)
	// Output: failure true throttled
}

// Per-host circuit breakers: after three failures in a row the breaker of
// that host opens, and the next call fails at once without reaching it.
func ExampleBreaker() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer backend.Close()

	breakers, err := breaker.NewGroup(breaker.GroupConfig{
		Breaker: breaker.Config{ConsecutiveFailures: 3},
	})
	if err != nil {
		panic(err)
	}
	guard, err := transport.Breaker(transport.BreakerConfig{Group: breakers})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: transport.Chain(nil, guard)}

	for range 4 {
		resp, err := client.Get(backend.URL)
		if errors.Is(err, breaker.ErrOpen) {
			fmt.Println("rejected: breaker open")
			continue
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	for _, s := range breakers.Snapshots() {
		fmt.Println(s.State, s.Failures, "failures,", s.Rejected, "rejected")
	}
	// Output:
	// 503
	// 503
	// 503
	// rejected: breaker open
	// open 3 failures, 1 rejected
}

// A 429 with Retry-After pauses the host for the whole client: the next
// request is refused locally, without reaching the server.
func ExampleLimit() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer backend.Close()

	limit, err := transport.Limit(transport.LimitConfig{}) // pushback only: no rate or concurrency limit
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: transport.Chain(nil, limit)}

	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)

	_, err = client.Get(backend.URL)
	fmt.Println(errors.Is(err, limiter.ErrLimited), transport.NotSent(err))
	// Output:
	// 429
	// true true
}
