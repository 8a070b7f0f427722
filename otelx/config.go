package otelx

import "net/http"

// Config configures Hooks. The zero Config is the recommended one: events
// and attributes on the request's span, the status left to the span's
// owner. Each field says what its zero value means.
type Config struct {
	// HostKey names a request's host in the resilient.host attribute.
	// Nil means req.URL.Host, the key that the stack's breakers and
	// limits use by default; pass the same function as
	// transport.BreakerConfig.Key when you key them otherwise, so that
	// traces, metrics and the status page name hosts alike.
	HostKey func(*http.Request) string

	// SetStatus, when true, sets the span's status to Error when a call
	// ends with an error or a result classified as a failure. False, the
	// default, leaves the status to the span's owner: otelhttp already
	// sets it from the response and the error.
	SetStatus bool
}
