package limiter

import (
	"context"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// adaptiveRateError is an [AdaptiveRate]'s rejection. It matches
// ErrLimited and, when a Wait gave up because the wait would pass the
// context's deadline, context.DeadlineExceeded as well. It carries the
// rate at the time, which changes, so each rejection has its own.
type adaptiveRateError struct {
	name     string
	limit    rate.Limit
	burst    int
	deadline bool
	wait     time.Duration
	left     time.Duration
}

// Error says why the call was rejected, for example
//
//	limiter: limited: key "api.example.com": adaptive rate 91.3/s (burst 92) reached, set by server throttling
func (e *adaptiveRateError) Error() string {
	b := make([]byte, 0, 128)
	b = append(b, "limiter: limited: "...)
	if e.name != "" {
		b = append(b, "key "...)
		b = strconv.AppendQuote(b, e.name)
		b = append(b, ": "...)
	}
	b = append(b, "adaptive rate "...)
	b = strconv.AppendFloat(b, float64(e.limit), 'g', 4, 64)
	b = append(b, "/s (burst "...)
	b = strconv.AppendInt(b, int64(e.burst), 10)
	b = append(b, ") reached, set by server throttling"...)
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
func (e *adaptiveRateError) Is(target error) bool {
	return target == ErrLimited || (e.deadline && target == context.DeadlineExceeded)
}

// Unwrap returns ErrLimited.
func (e *adaptiveRateError) Unwrap() error { return ErrLimited }
