package transport

import (
	"context"
	"errors"
	"net/http"
)

// CallResult is how a call ended for its caller (CallOutcome). It is not
// the breaker's health vocabulary (Outcome: success, failure, ignored): a
// call that an open breaker refused says nothing about the host's health,
// but it failed for its caller, and an error rate must count it. promx
// and otelx label calls with its String, so the two agree.
type CallResult uint8

const (
	// CallSuccess: any other response (a 404 is one: the server answered
	// soundly, and the request was the caller's to fix).
	CallSuccess CallResult = iota
	// CallErrorStatus: a response with a 5xx or 429 status, or that the
	// classifier judged a failure: the last answer once the retries gave
	// up (a 429 counts here although the breaker ignores it: the caller
	// did not get what it asked for).
	CallErrorStatus
	// CallRefused: one of our own stages refused the call before sending
	// it, or its retry (an open breaker, a limit or pushback pause, a
	// full queue).
	CallRefused
	// CallDeadline: the call's deadline (or the attempt timeout) passed
	// before a response.
	CallDeadline
	// CallCanceled: the caller canceled its context.
	CallCanceled
	// CallTransportError: any other error (a refused connection, a
	// reset, a TLS failure).
	CallTransportError

	// NumCallResults is the number of CallResult values, for arrays
	// indexed by them.
	NumCallResults = int(CallTransportError) + 1
)

var callResultNames = [NumCallResults]string{"success", "error_status", "refused", "deadline", "canceled", "transport_error"}

// String returns the result's label: success, error_status, refused,
// deadline, canceled or transport_error.
func (r CallResult) String() string {
	if int(r) < len(callResultNames) {
		return callResultNames[r]
	}
	return "unknown"
}

// CallOutcome returns how the call e ended for its caller. The order of
// the tests matters: a call its caller canceled is canceled, whatever the
// attempt or refusal it cut short (the caller no longer wanted the
// answer); a refusal wrapped in a RetryError (a retry that the open
// breaker refused) is a refusal.
func CallOutcome(e CallEnd) CallResult {
	err := e.Err
	switch {
	case err == nil && (e.Verdict.Outcome == Failure || e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests):
		return CallErrorStatus
	case err == nil:
		return CallSuccess
	case errors.Is(err, context.Canceled) && e.Request != nil && e.Request.Context().Err() != nil:
		return CallCanceled
	case rejectedByUs(err):
		return CallRefused
	case isTimeout(err):
		return CallDeadline
	}
	return CallTransportError
}
