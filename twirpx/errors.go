package twirpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// The meta keys that twirpx sets on the errors it recodes (see
// ClientOptions), and reads from a server's errors.
const (
	// MetaCause says which client-side event ended the call:
	// "breaker_open", "limited" (a rate or concurrency limit, a pushback
	// pause, the adaptive throttle), "queue_full", "queue_timeout",
	// "deadline", "canceled" or "transport" (the connection failed).
	MetaCause = "resilient_cause"
	// MetaRetryAfter is how long to wait before calling again, as a Go
	// duration ("1.5s"): set on an open breaker's error (the time until
	// it admits a probe). A server may set it on unavailable and
	// resource_exhausted errors too, as a Go duration or a number of
	// seconds: DefaultClassifier honours it like a Retry-After header.
	MetaRetryAfter = "retry_after"
	// MetaAttempts is the number of attempts made, set when retries were
	// tried.
	MetaAttempts = "resilient_attempts"
	// MetaNotSent is "true" when the request provably never left this
	// process (refused connection, our own rejection), so the caller may
	// repeat even a call that is not idempotent.
	MetaNotSent = "resilient_not_sent"
)

// recode turns the generated client's internal error that wraps a
// transport failure into the Twirp error that says what happened: an open
// breaker is unavailable, a limiter's refusal resource_exhausted, a
// timeout deadline_exceeded, a cancellation canceled, a failed connection
// unavailable. The result wraps err, so errors.Is and errors.As still find
// the cause (breaker.ErrOpen, context.DeadlineExceeded, a
// *transport.RetryError...). Any other error, a server's own internal
// error included, is returned as it is.
func recode(err error) error {
	var twerr twirp.Error
	if err == nil || !errors.As(err, &twerr) || twerr.Code() != twirp.Internal {
		return err
	}
	cause := errors.Unwrap(twerr)
	if cause == nil {
		return err // a server's error: it has no Go cause
	}
	code, why := codeOf(cause)
	if code == "" {
		return err
	}
	out := twirp.NewError(code, twerr.Msg()).WithMeta(MetaCause, why)
	var open *breaker.OpenError
	if errors.As(cause, &open) && !open.RetryAt.IsZero() {
		if d := time.Until(open.RetryAt); d > 0 {
			out = out.WithMeta(MetaRetryAfter, d.Round(time.Millisecond).String())
		}
	}
	var re *transport.RetryError
	if errors.As(cause, &re) {
		out = out.WithMeta(MetaAttempts, strconv.Itoa(re.Attempts))
	}
	if transport.NotSent(cause) {
		out = out.WithMeta(MetaNotSent, "true")
	}
	return twirp.WrapError(out, err)
}

// codeOf names the Twirp code and the MetaCause of a transport failure, or
// "" when it is not one (a request that could not be marshalled, a
// response that could not be decoded, a permanent transport error such as
// a bad certificate: internal fits those).
func codeOf(cause error) (twirp.ErrorCode, string) {
	switch {
	case errors.Is(cause, breaker.ErrOpen):
		return twirp.Unavailable, "breaker_open"
	case errors.Is(cause, queue.ErrFull):
		return twirp.ResourceExhausted, "queue_full"
	case errors.Is(cause, queue.ErrTimeout):
		return twirp.ResourceExhausted, "queue_timeout"
	case errors.Is(cause, limiter.ErrLimited):
		return twirp.ResourceExhausted, "limited"
	case errors.Is(cause, context.Canceled):
		return twirp.Canceled, "canceled"
	case errors.Is(cause, context.DeadlineExceeded):
		return twirp.DeadlineExceeded, "deadline"
	case transport.Permanent(cause):
		return "", ""
	}
	var nerr net.Error // *url.Error, from http.Client.Do, is one
	if errors.As(cause, &nerr) && nerr.Timeout() {
		return twirp.DeadlineExceeded, "deadline"
	}
	var uerr *url.Error
	if nerr != nil || errors.As(cause, &uerr) || errors.Is(cause, io.ErrUnexpectedEOF) {
		return twirp.Unavailable, "transport"
	}
	return "", ""
}

// asTwirp returns err as a twirp.Error. recode returns a twirp.Error when
// given one, as the hooks are, so the fallback is only a safety net.
func asTwirp(err error) twirp.Error {
	if t, ok := err.(twirp.Error); ok {
		return t
	}
	return twirp.InternalErrorWith(err)
}
