package migrating_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// fromRetryablehttp is go-retryablehttp's defaults (RetryMax 4, RetryWaitMin
// 1s, RetryWaitMax 30s, retry on connection errors, 429 and 5xx but 501,
// Retry-After honoured) in our terms. What changes: the waits are jittered,
// retries draw on a budget, a POST is retried only when it is marked
// idempotent, and the whole call has a deadline that the waits must fit
// (New refuses 1+2+4+8 = 15s of worst-case backoff within its default 15s).
func fromRetryablehttp() (transport.Config, error) {
	bo, err := backoff.New(backoff.Config{Base: time.Second, Max: 30 * time.Second})
	if err != nil {
		return transport.Config{}, err
	}
	return transport.Config{
		Timeout: transport.TimeoutConfig{Total: time.Minute, Attempt: 10 * time.Second},
		Retry: transport.RetryConfig{
			MaxAttempts:   5,                // RetryMax 4, plus the first attempt
			Backoff:       bo,               // RetryWaitMin, RetryWaitMax
			MaxRetryAfter: 30 * time.Second, // RetryWaitMax also caps Retry-After there
		},
		Breaker: transport.BreakerConfig{Off: true}, // retryablehttp has none; keep ours unless you have a reason
	}, nil
}

// fromGobreaker is sony/gobreaker's defaults (MaxRequests 1, Interval 0,
// Timeout 60s, ReadyToTrip: more than 5 consecutive failures) in our terms.
// What changes: one breaker per host without a map of your own, a 5xx counts
// as a failure without converting it into an error, and a caller's
// cancellation or our own limiter's rejection counts neither way.
func fromGobreaker() transport.Config {
	return transport.Config{
		Retry: transport.RetryConfig{Off: true}, // gobreaker does not retry
		Breaker: transport.BreakerConfig{
			ConsecutiveFailures: 6,                // ReadyToTrip: ConsecutiveFailures > 5
			FailureRatio:        1,                // no ratio rule: trip on the run alone
			BreakDuration:       60 * time.Second, // Timeout
			HalfOpenProbes:      1,                // MaxRequests
		},
	}
}

// fromFailsafe is a typical failsafe-go setup (failsafehttp's retry policy
// with WithMaxRetries(3) and WithBackoff(100ms, 10s); a circuit breaker with
// WithFailureThresholdRatio(5, 10), WithDelay(30s), WithSuccessThreshold(3))
// in our terms. What changes: the breaker is per host, the retries draw on a
// budget, and the breaker sits inside the retries, so a retry never waits
// on an open breaker.
func fromFailsafe() (transport.Config, error) {
	bo, err := backoff.New(backoff.Config{Base: 100 * time.Millisecond, Max: 10 * time.Second})
	if err != nil {
		return transport.Config{}, err
	}
	return transport.Config{
		Timeout: transport.TimeoutConfig{Total: 30 * time.Second},
		Retry:   transport.RetryConfig{MaxAttempts: 4, Backoff: bo}, // WithMaxRetries(3), WithBackoff
		Breaker: transport.BreakerConfig{
			Window:            breaker.Window{Kind: breaker.CountWindow, Size: 10}, // of the last 10 calls...
			MinThroughput:     10,
			FailureRatio:      0.5,              // ...5 failed
			BreakDuration:     30 * time.Second, // WithDelay
			HalfOpenProbes:    3,                // WithSuccessThreshold(3): three probes...
			HalfOpenSuccesses: 3,                // ...must all succeed
		},
	}, nil
}

// Each former configuration builds and is validated; the gobreaker one is
// then run against a failing backend: it opens after 6 failures in a row,
// and the 7th call is refused without reaching the backend.
func Example() {
	for _, c := range []struct {
		name string
		cfg  func() (transport.Config, error)
	}{
		{"go-retryablehttp", fromRetryablehttp},
		{"sony/gobreaker", func() (transport.Config, error) { return fromGobreaker(), nil }},
		{"failsafe-go", fromFailsafe},
	} {
		cfg, err := c.cfg()
		if err != nil {
			panic(err)
		}
		rt, err := transport.New(cfg)
		fmt.Printf("%s: valid=%v\n", c.name, err == nil)
		if err == nil {
			rt.CloseIdleConnections()
		}
	}

	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer backend.Close()
	rt, err := transport.New(fromGobreaker())
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}
	for range 7 {
		resp, err := client.Get(backend.URL)
		if errors.Is(err, breaker.ErrOpen) {
			fmt.Println("refused: breaker open")
			continue
		}
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}
	fmt.Println("backend calls:", calls.Load())
	// Output:
	// go-retryablehttp: valid=true
	// sony/gobreaker: valid=true
	// failsafe-go: valid=true
	// refused: breaker open
	// backend calls: 6
}

// The validation at work: go-retryablehttp's waits (up to 1+2+4+8 = 15s)
// do not fit in our default total timeout of 15s, and New says so at
// construction instead of cutting the last retry short at run time.
func Example_validation() {
	cfg, err := fromRetryablehttp()
	if err != nil {
		panic(err)
	}
	cfg.Timeout.Total = 0 // back to the default, 15s
	_, err = transport.New(cfg)
	fmt.Println(errors.Is(err, transport.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// transport: invalid config: Config.Retry.Backoff: the worst-case backoff of 4 retries is 15s, not less than Config.Timeout.Total 15s: the last retries could never be made
}
