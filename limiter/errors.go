package limiter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// ErrLimited is the class of every rejection by a limiter of this package:
// a [Rate] out of tokens or paused by server pushback, a [Concurrency] at
// its limit, a [Throttle] shedding load. Test for it with
// errors.Is(err, limiter.ErrLimited). The error returned wraps it and says
// why: which key, which limit, until when, with what probability.
//
// A rejection means that the call was not made: nothing was sent, so a
// retry layer may treat it as safe to retry, and a circuit breaker should
// count it as neither success nor failure (it says nothing about the
// destination).
var ErrLimited = errors.New("limiter: limited")

// ErrInvalidConfig is wrapped by every error that [NewRate],
// [NewConcurrency] and [NewThrottle] return for a bad configuration. The
// wrapping error's message names the offending field and its value; test
// for the class with errors.Is(err, ErrInvalidConfig).
var ErrInvalidConfig = errors.New("limiter: invalid config")

// reason says why a call was rejected.
type reason uint8

const (
	reasonRate        reason = iota // a Rate key out of tokens
	reasonPaused                    // a Rate key paused by server pushback
	reasonConcurrency               // a Concurrency at its limit
	reasonThrottle                  // a Throttle's random rejection
)

// limitedError is the error of every rejection. It matches ErrLimited and,
// when a Wait gave up because the wait would pass the context's deadline,
// context.DeadlineExceeded as well. Its message is formatted only when
// asked for.
//
// A Rate shares one limitedError per key for its plain rate rejections (so
// Allow's reject path does not allocate): treat it as read-only.
type limitedError struct {
	reason   reason
	deadline bool          // a Wait that would pass the context's deadline
	key      string        // Rate: the key
	limit    rate.Limit    // Rate: events per second
	burst    int           // Rate: bucket size
	until    time.Time     // paused: end of the pause
	wait     time.Duration // deadline: how long the call would have waited
	left     time.Duration // deadline: time left before the deadline
	n        int           // concurrency: the limit; throttle: requests in the window
	accepts  int           // throttle: accepts in the window
	p        float64       // throttle: the rejection probability
	window   time.Duration // throttle: the window
}

// Error says why the call was rejected, for example
//
//	limiter: limited: key "api.example.com": rate limit 10/s (burst 10) reached
//	limiter: limited: key "api.example.com": paused by server pushback until 2026-11-26T19:40:05.250Z
//	limiter: limited: concurrency limit 20 reached
//	limiter: limited: client-side throttling p=0.37 (300 requests, 80 accepted in 2m0s)
//
// with, for a Wait that gave up because of its context's deadline, the
// wait it would have needed and the time left.
func (e *limitedError) Error() string {
	b := make([]byte, 0, 128)
	b = append(b, "limiter: limited: "...)
	if e.key != "" || e.reason == reasonRate || e.reason == reasonPaused {
		b = append(b, "key "...)
		b = strconv.AppendQuote(b, e.key)
		b = append(b, ": "...)
	}
	switch e.reason {
	case reasonRate:
		b = append(b, "rate limit "...)
		b = strconv.AppendFloat(b, float64(e.limit), 'g', 6, 64)
		b = append(b, "/s (burst "...)
		b = strconv.AppendInt(b, int64(e.burst), 10)
		b = append(b, ") reached"...)
	case reasonPaused:
		b = append(b, "paused by server pushback until "...)
		b = e.until.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	case reasonConcurrency:
		b = append(b, "concurrency limit "...)
		b = strconv.AppendInt(b, int64(e.n), 10)
		b = append(b, " reached"...)
	case reasonThrottle:
		b = append(b, "client-side throttling p="...)
		b = strconv.AppendFloat(b, e.p, 'f', 2, 64)
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(e.n), 10)
		b = append(b, " requests, "...)
		b = strconv.AppendInt(b, int64(e.accepts), 10)
		b = append(b, " accepted in "...)
		b = append(b, e.window.String()...)
		b = append(b, ')')
	}
	if e.deadline {
		b = append(b, ": waiting "...)
		b = append(b, e.wait.String()...)
		b = append(b, " would pass the context deadline (in "...)
		b = append(b, e.left.String()...)
		b = append(b, ')')
	}
	return string(b)
}

// Is reports whether target is ErrLimited, or context.DeadlineExceeded for
// a Wait that gave up because of its deadline.
func (e *limitedError) Is(target error) bool {
	return target == ErrLimited || (e.deadline && target == context.DeadlineExceeded)
}

// Unwrap returns ErrLimited.
func (e *limitedError) Unwrap() error { return ErrLimited }

// waitError reports that the caller's context ended while it waited in
// [Rate.Wait]: it matches ctx.Err() (and the context's cause), not
// ErrLimited.
func waitError(ctx context.Context, key string, started bool, waited time.Duration) error {
	err := ctx.Err()
	what := "context done before waiting"
	if started {
		what = "gave up after waiting " + waited.String()
	}
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("limiter: key %q: %s: %w (cause: %w)", key, what, err, cause)
	}
	return fmt.Errorf("limiter: key %q: %s: %w", key, what, err)
}

// invalid returns an error wrapping ErrInvalidConfig.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
