package breaker_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// TestOpenError checks the rejection errors: errors.Is, errors.As and the
// message, in each rejecting state. The bubble's clock starts at
// 2000-01-01T00:00:00Z.
func TestOpenError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustNew(t, breaker.Config{Name: "api.example.com", ConsecutiveFailures: 1, BreakDuration: 5 * time.Second})
		outcomes(t, b, breaker.Failure, 1)
		time.Sleep(1800 * time.Millisecond)
		_, err := b.Allow()
		if !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("errors.Is(%v, ErrOpen) is false", err)
		}
		var oe *breaker.OpenError
		if !errors.As(err, &oe) || oe.Key != "api.example.com" || oe.State != breaker.Open ||
			!oe.RetryAt.Equal(time.Date(2000, 1, 1, 0, 0, 5, 0, time.UTC)) {
			t.Fatalf("OpenError %+v", oe)
		}
		const want = `breaker "api.example.com" open: retry after 2000-01-01T00:00:05.000Z (in 3.2s)`
		if got := err.Error(); got != want {
			t.Fatalf("message\n%s\nwant\n%s", got, want)
		}
		time.Sleep(3199 * time.Millisecond)
		if got, want := err.Error(), `breaker "api.example.com" open: retry after 2000-01-01T00:00:05.000Z (in 1ms)`; got != want {
			t.Fatalf("message %s, want %s", got, want)
		}
		wrapped := fmt.Errorf("GET /items: %w", err)
		if !errors.Is(wrapped, breaker.ErrOpen) || !errors.As(wrapped, &oe) {
			t.Fatal("wrapped OpenError not matched")
		}

		time.Sleep(time.Millisecond)
		p, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Allow()
		if err == nil {
			t.Fatal("a second probe was admitted")
		}
		if got, want := err.Error(), `breaker "api.example.com" half-open: all probes in flight`; got != want {
			t.Fatalf("message %s, want %s", got, want)
		}
		if !errors.As(err, &oe) || oe.State != breaker.HalfOpen || !oe.RetryAt.IsZero() {
			t.Fatalf("half-open OpenError %+v", oe)
		}
		p.Success()

		b.Isolate()
		_, err = b.Allow()
		if got, want := err.Error(), `breaker "api.example.com" isolated`; got != want || !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("message %s, want %s", got, want)
		}

		anon := mustNew(t, breaker.Config{})
		anon.Isolate()
		if _, err := anon.Allow(); err.Error() != "breaker isolated" {
			t.Fatalf("unnamed: %s", err)
		}
		if s := b.Snapshot(); s.Rejected != 3 {
			t.Fatalf("Rejected %d, want 3", s.Rejected)
		}
	})
}

// TestRejectNoAlloc checks that neither the hot path nor rejections
// allocate.
func TestRejectNoAlloc(t *testing.T) {
	b := mustNew(t, breaker.Config{ConsecutiveFailures: 1, BreakDuration: time.Hour})
	if n := testing.AllocsPerRun(1000, func() {
		p, _ := b.Allow()
		p.Success()
	}); n != 0 {
		t.Fatalf("Allow+Success: %v allocs", n)
	}
	outcomes(t, b, breaker.Failure, 1)
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := b.Allow(); err == nil {
			t.Fatal("admitted")
		}
	}); n != 0 {
		t.Fatalf("reject: %v allocs", n)
	}
	b.Reset() // stops the timer
}
