package transport_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// Configurations found by trying to break New (issue 18): each used to
// kill the process, hang New, or be accepted through an overflow. Each is
// refused now, at once, with an error matching ErrInvalidConfig.

// newWithin runs New and fails the test if it does not return within d
// (a config that made it loop for ever).
func newWithin(t *testing.T, d time.Duration, cfg transport.Config) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := transport.New(cfg)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("New has not returned after %v", d)
		return nil
	}
}

// Throttle buckets are memory per host: MaxInt32 of them ran New out of
// memory. The limiter's refusal matches both sentinels through New.
func TestNewRefusesTooManyThrottleBuckets(t *testing.T) {
	for _, n := range []int{1001, math.MaxInt32, math.MaxInt} {
		err := newWithin(t, 10*time.Second, transport.Config{Limit: transport.LimitConfig{Throttle: &limiter.ThrottleConfig{Buckets: n}}})
		if !errors.Is(err, transport.ErrInvalidConfig) || !errors.Is(err, limiter.ErrInvalidConfig) {
			t.Errorf("Throttle.Buckets %d: New = %v, want transport's and limiter's ErrInvalidConfig", n, err)
		}
	}
	if err := newWithin(t, 10*time.Second, transport.Config{Limit: transport.LimitConfig{Throttle: &limiter.ThrottleConfig{Buckets: 1000}}}); err != nil {
		t.Errorf("Throttle.Buckets 1000: New = %v", err)
	}
}

// MaxAttempts is capped at 100, and the worst-case backoff sum stops at
// the total timeout: MaxInt attempts made New loop for ever.
func TestNewMaxAttempts(t *testing.T) {
	for _, cfg := range []transport.Config{
		{Retry: transport.RetryConfig{MaxAttempts: math.MaxInt}},
		{Retry: transport.RetryConfig{MaxAttempts: math.MaxInt, Backoff: backoff.Constant(0)}},
		{Retry: transport.RetryConfig{MaxAttempts: math.MaxInt}, Timeout: transport.TimeoutConfig{TotalOff: true}},
		{Retry: transport.RetryConfig{MaxAttempts: 101, Backoff: backoff.Constant(0)}},
	} {
		if err := newWithin(t, time.Second, cfg); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("New(MaxAttempts %d) = %v, want ErrInvalidConfig", cfg.Retry.MaxAttempts, err)
		}
	}
	if _, err := transport.Retry(transport.RetryConfig{MaxAttempts: 101}); !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("Retry(MaxAttempts 101) = %v, want ErrInvalidConfig", err)
	}
	if err := newWithin(t, time.Second, transport.Config{Retry: transport.RetryConfig{MaxAttempts: 100, Backoff: backoff.Constant(time.Millisecond)}}); err != nil {
		t.Errorf("New(MaxAttempts 100, 99 waits of 1ms) = %v, want it accepted", err)
	}
	// The default backoff's 99 waits pass 15s long before the 99th.
	err := newWithin(t, time.Second, transport.Config{Retry: transport.RetryConfig{MaxAttempts: 100}})
	if !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("New(MaxAttempts 100, default backoff) = %v, want ErrInvalidConfig", err)
	}
}

// Sums and products of huge durations used to overflow into negative
// values and let a config through that its checks exist to refuse.
func TestNewTimeoutChecksDoNotOverflow(t *testing.T) {
	for name, cfg := range map[string]transport.Config{
		// 2 × MaxInt64 wrapped to -2, below any total timeout.
		"huge backoff": {Timeout: transport.TimeoutConfig{Total: math.MaxInt64, Attempt: time.Second},
			Retry: transport.RetryConfig{MaxAttempts: 3, Backoff: backoff.Constant(math.MaxInt64)}},
		// 2 × AttemptTimeout wrapped negative, below the breaker window.
		"huge attempt timeout": {Timeout: transport.TimeoutConfig{Total: math.MaxInt64, Attempt: math.MaxInt64/2 + 1}, Retry: transport.RetryConfig{Off: true}},
	} {
		if err := newWithin(t, time.Second, cfg); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("%s: New = %v, want ErrInvalidConfig", name, err)
		}
	}
}
