package otelx

import "go.opentelemetry.io/otel/attribute"

// Event names, one per kind of span event the hooks add.
const (
	// EventRetry: a failed attempt will be retried after a delay.
	EventRetry = "resilient.retry"
	// EventBudgetExhausted: a failed attempt would have been retried, but
	// the retry budget refused (the call ends with that attempt's result).
	EventBudgetExhausted = "resilient.retry.budget_exhausted"
	// EventRejected: one of our own stages (an open breaker, a rate or
	// concurrency limit, a pushback pause, a full queue) refused the call
	// before sending it.
	EventRejected = "resilient.rejected"
	// EventPushback: the server answered with Retry-After (a 429 or 503),
	// which pauses the host for the whole client unless the stack's
	// pushback is disabled.
	EventPushback = "resilient.pushback"
)

// Attribute keys of the events and of the call's span.
const (
	// KeyHost is the host key of the call (the breaker key by default),
	// set on the span when the call ends.
	KeyHost = attribute.Key("resilient.host")
	// KeyAttempts is the number of attempts the call sent (hedges
	// included; 0 when it was refused before any), set on the span when
	// the call ends.
	KeyAttempts = attribute.Key("resilient.attempts")
	// KeyOutcome is how the call's final result counts toward the host's
	// health ("success", "failure", "ignored"), set when the call ends.
	KeyOutcome = attribute.Key("resilient.outcome")
	// KeyAttempt is the 1-based number of the attempt an event is about.
	KeyAttempt = attribute.Key("resilient.attempt")
	// KeyDelay is the wait before the next attempt, in seconds.
	KeyDelay = attribute.Key("resilient.retry.delay")
	// KeyReason is why the attempt was judged as it was (see
	// transport.Reason: "server_error", "throttled", "timeout"…).
	KeyReason = attribute.Key("resilient.reason")
	// KeyRetryAfter is the delay the server asked for with Retry-After,
	// in seconds, before our clamp.
	KeyRetryAfter = attribute.Key("resilient.retry_after")
	// KeyStage is the stage that refused a call: "breaker", "limit" or
	// "queue".
	KeyStage = attribute.Key("resilient.stage")
	// KeyStatusCode is an attempt's HTTP status (the semantic
	// conventions' name), absent for a transport error.
	KeyStatusCode = attribute.Key("http.response.status_code")
	// KeyErrorType is the kind of an attempt's, a rejection's or a call's
	// failure (the semantic conventions' error.type, stable): the status
	// code for a 4xx or 5xx span, else a short name ("breaker_open",
	// "limited", "queue_full", "queue_timeout", "canceled", "timeout") or
	// the error's Go type ("*url.Error").
	KeyErrorType = attribute.Key("error.type")
	// KeyMethod is the request's method (http.request.method).
	KeyMethod = attribute.Key("http.request.method")
	// KeyServerAddress is the request URL's host name, without the port.
	KeyServerAddress = attribute.Key("server.address")
	// KeyServerPort is the request URL's port, explicit or the scheme's.
	KeyServerPort = attribute.Key("server.port")
	// KeyURLFull is the request's URL, credentials removed and the values
	// of signing query keys (AWSAccessKeyId, Signature, sig,
	// X-Goog-Signature) replaced by REDACTED, as the conventions ask.
	KeyURLFull = attribute.Key("url.full")
	// KeyResendCount is the number of times the call's request was sent
	// before this attempt (http.request.resend_count): 1 on the second
	// attempt, absent on the first.
	KeyResendCount = attribute.Key("http.request.resend_count")
)

// KeyCallOutcome is how a call ended for its caller: OutcomeSuccess,
// OutcomeErrorStatus, OutcomeRefused, OutcomeDeadline, OutcomeCanceled or
// OutcomeTransportError; set on the call span when the call ends, and the
// attribute of the calls metric. Unlike KeyOutcome (the breaker's view),
// a refused call is an error here.
const KeyCallOutcome = attribute.Key("resilient.call.outcome")
