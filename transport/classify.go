package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
)

// Outcome is how one attempt counts toward the health of its destination:
// for breakers, budgets and adaptive limits. It says nothing about whether
// the caller got what it wanted: a 404 is a Success (the server answered
// soundly), a 503 is a Failure. It is the breaker core's type, so that a
// Verdict feeds a breaker.Permit as it is.
type Outcome = breaker.Outcome

// The outcomes.
const (
	// Success: the destination answered soundly.
	Success = breaker.Success
	// Failure: the destination failed or could not be reached.
	Failure = breaker.Failure
	// Ignored: the attempt says nothing about the destination's health:
	// the caller cancelled it, one of our own layers rejected it, or the
	// server throttled it (429). It counts neither way.
	Ignored = breaker.Ignored
)

// Reason names why an attempt was classified as it was, for hooks, logs and
// metric labels (a small fixed set, so label cardinality stays bounded).
type Reason uint8

const (
	// ReasonNone: a success.
	ReasonNone Reason = iota
	// ReasonServerError: a 5xx status other than 501.
	ReasonServerError
	// ReasonThrottled: a 429 Too Many Requests.
	ReasonThrottled
	// ReasonTransport: a transport error (reset, refused, EOF...).
	ReasonTransport
	// ReasonTimeout: the attempt timed out while the caller's context was
	// still live (an attempt timeout, a dial or TLS timeout).
	ReasonTimeout
	// ReasonPermanent: a transport error that repeating cannot fix (a TLS
	// certificate failure, an unsupported scheme, an invalid header, too
	// many redirects).
	ReasonPermanent
	// ReasonCanceled: the caller's own context ended.
	ReasonCanceled
	// ReasonRejected: one of our own layers refused the request before
	// sending it (an open breaker, a rate or concurrency limit, a full
	// queue).
	ReasonRejected
	// ReasonOther: set by user classifiers that need none of the above.
	ReasonOther
)

var reasonNames = [...]string{
	ReasonNone:        "none",
	ReasonServerError: "server_error",
	ReasonThrottled:   "throttled",
	ReasonTransport:   "transport",
	ReasonTimeout:     "timeout",
	ReasonPermanent:   "permanent",
	ReasonCanceled:    "canceled",
	ReasonRejected:    "rejected",
	ReasonOther:       "other",
}

// String returns a short snake_case name suitable for a metric label.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Verdict is a Classifier's judgement of one attempt.
type Verdict struct {
	// Outcome is how the attempt counts toward the destination's health.
	Outcome Outcome
	// Retryable reports whether repeating the attempt may give a different
	// result. Retry still applies its own rules on top (idempotency, body
	// replay, attempts, budget, deadline).
	Retryable bool
	// Reason says why, for observation.
	Reason Reason
	// RetryAfter is the delay the server asked for (Retry-After on a 429
	// or 503), not yet clamped; zero when it asked for none.
	RetryAfter time.Duration
}

// Classifier judges the result of one attempt. req is the caller's request
// (its context is the caller's, so a cancelled caller is visible); exactly
// one of resp and err is normally non-nil. A Classifier must be safe for
// concurrent use and must not read or close resp.Body.
type Classifier interface {
	Classify(req *http.Request, resp *http.Response, err error) Verdict
}

// ClassifierFunc adapts a function to Classifier.
type ClassifierFunc func(req *http.Request, resp *http.Response, err error) Verdict

// Classify calls f(req, resp, err).
func (f ClassifierFunc) Classify(req *http.Request, resp *http.Response, err error) Verdict {
	return f(req, resp, err)
}

// DefaultClassifier returns the classification every middleware uses unless told
// otherwise:
//
//   - the caller's context has ended: Ignored, not retryable;
//   - one of our own layers refused it (breaker.ErrOpen, limiter.ErrLimited,
//     queue.ErrFull, queue.ErrTimeout): Ignored, not retryable, so that a
//     retry meeting an open breaker or a full queue fails fast and a
//     breaker does not count our own shedding against the host;
//   - a transport error: Failure, retryable unless Permanent reports it
//     (TLS certificate, unsupported scheme, invalid header, too many
//     redirects: go-retryablehttp's list);
//   - 429: Ignored, retryable, with the server's Retry-After. The server
//     is up and answering; it asks this client to slow down, which is the
//     job of retries (Retry-After) and limiters (Reason ReasonThrottled),
//     not a sign of a broken host, so it neither trips nor heals a breaker;
//   - 5xx except 501 Not Implemented: Failure, retryable (503 with its
//     Retry-After);
//   - anything else, 501 and every 1xx-4xx included: Success, not retryable.
func DefaultClassifier() Classifier { return defaultClassifier }

// defaultClassifier is DefaultClassifier's classifier.
var defaultClassifier Classifier = ClassifierFunc(classifyDefault)

func classifyDefault(req *http.Request, resp *http.Response, err error) Verdict {
	if err != nil {
		return classifyError(req, err)
	}
	if resp == nil {
		return Verdict{Outcome: Failure, Retryable: true, Reason: ReasonTransport}
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests:
		return Verdict{Outcome: Ignored, Retryable: true, Reason: ReasonThrottled, RetryAfter: retryAfter(resp)}
	case code == http.StatusServiceUnavailable:
		return Verdict{Outcome: Failure, Retryable: true, Reason: ReasonServerError, RetryAfter: retryAfter(resp)}
	case code >= 500 && code != http.StatusNotImplemented:
		return Verdict{Outcome: Failure, Retryable: true, Reason: ReasonServerError}
	}
	return Verdict{Outcome: Success}
}

func classifyError(req *http.Request, err error) Verdict {
	if req != nil && req.Context().Err() != nil {
		return Verdict{Outcome: Ignored, Reason: ReasonCanceled}
	}
	if rejectedByUs(err) {
		return Verdict{Outcome: Ignored, Reason: ReasonRejected}
	}
	if Permanent(err) {
		return Verdict{Outcome: Failure, Reason: ReasonPermanent}
	}
	if isTimeout(err) {
		return Verdict{Outcome: Failure, Retryable: true, Reason: ReasonTimeout}
	}
	return Verdict{Outcome: Failure, Retryable: true, Reason: ReasonTransport}
}

// rejectedByUs reports whether err is one of our own layers' refusals.
func rejectedByUs(err error) bool {
	return errors.Is(err, breaker.ErrOpen) || errors.Is(err, limiter.ErrLimited) ||
		errors.Is(err, queue.ErrFull) || errors.Is(err, queue.ErrTimeout)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// retryAfter reads the response's Retry-After header, unclamped: Retry
// clamps it to MaxRetryAfter and Limit to MaxPause. A value too large for
// a Duration is the longest Duration (so it meets those clamps), not a
// malformed one: the server asked for a long wait.
func retryAfter(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	d, ok := backoff.ParseRetryAfter(v, time.Now(), 0)
	if !ok {
		return 0
	}
	return d
}
