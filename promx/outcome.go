package promx

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// The values of calls_total's outcome label: how the call ended for its
// caller. They are not the breaker's health vocabulary (success, failure,
// ignored): a call that an open breaker refused says nothing about the
// host's health, but it failed for its caller, and an error-rate panel
// must count it.
const (
	// OutcomeSuccess: any other response (a 404 is one: the server
	// answered soundly, and the request was the caller's to fix).
	OutcomeSuccess = "success"
	// OutcomeErrorStatus: a response with a 5xx or 429 status, or that
	// the classifier judged a failure: the last answer once the retries
	// gave up (a 429 counts here although the breaker ignores it: the
	// caller did not get what it asked for).
	OutcomeErrorStatus = "error_status"
	// OutcomeRefused: one of our own stages refused the call before
	// sending it, or its retry (an open breaker, a limit or pushback
	// pause, a full queue); rejections_total{stage} says which.
	OutcomeRefused = "refused"
	// OutcomeDeadline: the call's deadline (or the attempt timeout)
	// passed before a response.
	OutcomeDeadline = "deadline"
	// OutcomeCanceled: the caller canceled its context.
	OutcomeCanceled = "canceled"
	// OutcomeTransportError: any other error (a refused connection, a
	// reset, a TLS failure).
	OutcomeTransportError = "transport_error"
)

// callOutcomes are the outcome label's values, by index of callOutcome.
var callOutcomes = [...]string{OutcomeSuccess, OutcomeErrorStatus, OutcomeRefused, OutcomeDeadline, OutcomeCanceled, OutcomeTransportError}

// callOutcome returns the index in callOutcomes of how e ended for its
// caller. The order of the tests matters: a call its caller canceled is
// canceled, whatever the attempt or refusal it cut short (the caller no
// longer wanted the answer); a refusal wrapped in a RetryError (a retry
// that the open breaker refused) is a refusal.
func callOutcome(e transport.CallEnd) int {
	err := e.Err
	switch {
	case err == nil && (e.Verdict.Outcome == transport.Failure || e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests):
		return 1
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled) && e.Request.Context().Err() != nil:
		return 4
	case errors.Is(err, breaker.ErrOpen), errors.Is(err, limiter.ErrLimited),
		errors.Is(err, queue.ErrFull), errors.Is(err, queue.ErrTimeout):
		return 2
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return 3
	}
	return 5
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
