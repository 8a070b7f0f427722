package breaker

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrOpen is the class of every rejection by a [Breaker]: test for it with
// errors.Is(err, ErrOpen). The error that [Breaker.Allow] returns is an
// [*OpenError], which says more.
var ErrOpen = errors.New("breaker: open")

// ErrInvalidConfig is wrapped by every error that [New] and [NewGroup]
// return for a bad configuration. The wrapping error's message names the
// offending field and its value; test for the class with
// errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("breaker: invalid config")

// OpenError is the error [Breaker.Allow] returns when it rejects a call:
// the breaker is open, isolated, or half-open with all its probes in
// flight. errors.Is(err, ErrOpen) is true for it (it unwraps to [ErrOpen]),
// and errors.As gives the details:
//
//	var oe *breaker.OpenError
//	if errors.As(err, &oe) && !oe.RetryAt.IsZero() {
//		// do not try this destination again before oe.RetryAt
//	}
//
// To keep the reject path free of allocation, a Breaker hands out one
// OpenError per state generation to every caller it rejects: treat it as
// read-only.
type OpenError struct {
	// Key is the breaker's name ([Config.Name]; a [Group] uses the key).
	Key string

	// State is the state that rejected the call: [Open], [HalfOpen] (all
	// probes in flight) or [Isolated].
	State State

	// RetryAt is when an open breaker will next admit a probe. It is zero
	// when that time is not known: isolated (until an operator acts) or
	// half-open (when a probe in flight completes).
	RetryAt time.Time
}

// Error returns a message that says which breaker, its state and when it
// will next admit a probe, such as
//
//	breaker "api.example.com" open: retry after 2026-11-26T19:40:05.250Z (in 3.2s)
//	breaker "api.example.com" half-open: all probes in flight
//	breaker "api.example.com" isolated
//
// The time left ("in 3.2s") is measured when Error is called.
func (e *OpenError) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, "breaker "...)
	if e.Key != "" {
		b = strconv.AppendQuote(b, e.Key)
		b = append(b, ' ')
	}
	b = append(b, e.State.String()...)
	switch {
	case !e.RetryAt.IsZero():
		b = append(b, ": retry after "...)
		b = e.RetryAt.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		left := max(time.Until(e.RetryAt), 0)
		if left >= time.Second {
			left = left.Round(100 * time.Millisecond)
		} else {
			left = left.Round(time.Millisecond)
		}
		b = append(b, " (in "...)
		b = append(b, left.String()...)
		b = append(b, ')')
	case e.State == HalfOpen:
		b = append(b, ": all probes in flight"...)
	}
	return string(b)
}

// Unwrap returns [ErrOpen].
func (e *OpenError) Unwrap() error { return ErrOpen }

// invalid returns an error wrapping ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
