package otelx

import "github.com/resilient-go/resilient/transport"

// The values of KeyCallOutcome: how the call ended for its caller (the
// same values as promx's calls_total{outcome}). They are not the
// breaker's health vocabulary (success, failure, ignored): a call that an
// open breaker refused says nothing about the host's health, but it
// failed for its caller, and an error rate must count it.
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
	// pause, a full queue); the refusal's stage is on the rejection.
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

// callOutcomes are the outcome values, by index of transport.CallResult:
// transport.CallOutcome is the one judge of how a call ended, for promx
// and otelx alike.
var callOutcomes = [transport.NumCallResults]string{OutcomeSuccess, OutcomeErrorStatus, OutcomeRefused, OutcomeDeadline, OutcomeCanceled, OutcomeTransportError}

// callOutcome returns the index in callOutcomes of how e ended for its
// caller.
func callOutcome(e transport.CallEnd) int { return int(transport.CallOutcome(e)) }
