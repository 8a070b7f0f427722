package transport

import (
	"errors"
	"strconv"
	"strings"
)

// Reasons why Retry stopped before a call succeeded. They are matched with
// errors.Is on a *RetryError; backoff.ErrBudgetExhausted and the caller's
// context errors are the others.
var (
	// ErrAttemptsExhausted: every attempt allowed by MaxAttempts failed.
	ErrAttemptsExhausted = errors.New("transport: attempts exhausted")
	// ErrNotIdempotent: the request was sent and may have had an effect,
	// and nothing marks it safe to repeat (see IsIdempotent).
	ErrNotIdempotent = errors.New("transport: request not idempotent, not retried")
	// ErrBodyNotReplayable: the request body has no GetBody, so it cannot
	// be sent again.
	ErrBodyNotReplayable = errors.New("transport: request body cannot be replayed, not retried")
	// ErrDeadlineTooSoon: the caller's deadline would pass before the next
	// attempt could start.
	ErrDeadlineTooSoon = errors.New("transport: deadline too soon to retry")
)

// RetryError is returned by Retry when a call ends in an error after the
// retry loop had a say in it. It records how many attempts were made, the
// last attempt's error, and why the loop stopped. errors.Is and errors.As
// see both Last and Stop, so errors.Is(err, context.Canceled) and
// errors.Is(err, backoff.ErrBudgetExhausted) work as expected.
type RetryError struct {
	// Attempts is the number of attempts made, Unsent those of them that
	// never reached the server (see NotSent): refused by our own breaker,
	// limiter or pushback gate, or a connection refused. Attempts −
	// Unsent were sent.
	Attempts, Unsent int
	// LastUnsent says the last attempt was one of the Unsent: refused
	// locally by a stage of ours (Last says which: an open breaker, the
	// pushback gate), or a connection that could not be made.
	LastUnsent bool
	// Last is the last attempt's error; nil when the last attempt got a
	// response that had to be discarded (see LastStatus).
	Last error
	// LastStatus is the status of the last attempt's discarded response,
	// or 0.
	LastStatus int
	// Stop says why no further attempt was made: ErrAttemptsExhausted,
	// ErrNotIdempotent, ErrBodyNotReplayable, ErrDeadlineTooSoon,
	// backoff.ErrBudgetExhausted, or the caller's context error. Nil when
	// Last itself is not retryable.
	Stop error
}

// Error says how many attempts were made and, when some never went out,
// how many were sent; why the loop stopped; and the last cause, named
// "refused locally, not sent" when a stage of ours refused the last
// attempt and "not sent" when it could not connect (so that a count of
// attempts does not read as requests the server saw).
func (e *RetryError) Error() string {
	var b strings.Builder
	b.WriteString("resilient: ")
	b.WriteString(strconv.Itoa(e.Attempts))
	if e.Attempts == 1 {
		b.WriteString(" attempt")
	} else {
		b.WriteString(" attempts")
	}
	if e.Unsent > 0 {
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(e.Attempts - e.Unsent))
		b.WriteString(" sent)")
	}
	if e.Stop != nil {
		b.WriteString(", stopped: ")
		b.WriteString(e.Stop.Error())
	}
	switch {
	case e.Last != nil && e.LastUnsent && refusedLocally(e.Last):
		b.WriteString(", last refused locally, not sent: ")
		b.WriteString(e.Last.Error())
	case e.Last != nil && e.LastUnsent:
		b.WriteString(", last not sent: ") // a dial or DNS failure
		b.WriteString(e.Last.Error())
	case e.Last != nil:
		b.WriteString(", last error: ")
		b.WriteString(e.Last.Error())
	case e.LastStatus != 0:
		b.WriteString(", last status: ")
		b.WriteString(strconv.Itoa(e.LastStatus))
	}
	return b.String()
}

// refusedLocally reports whether a stage of ours refused the request
// (MarkNotSent), as opposed to a connection that could not be made.
func refusedLocally(err error) bool {
	var marked interface{ RequestNotSent() bool }
	return errors.As(err, &marked) && marked.RequestNotSent()
}

// Unwrap returns Last and Stop, those that are set.
func (e *RetryError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Last != nil {
		errs = append(errs, e.Last)
	}
	if e.Stop != nil {
		errs = append(errs, e.Stop)
	}
	return errs
}
