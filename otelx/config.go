package otelx

import (
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Config configures NewTracing and Hooks. The zero Config is the
// recommended one: the global providers, events and attributes on the call
// span, the status of a span annotated by Hooks alone left to its owner. Each field says what its zero value means.
type Config struct {
	// TracerProvider provides the tracer of NewTracing's spans. Nil means
	// otel.GetTracerProvider() at each call.
	TracerProvider trace.TracerProvider

	// Propagator writes each attempt span's trace context into the
	// attempt's headers. Nil means otel.GetTextMapPropagator() at each
	// call (which propagates nothing until the program sets one).
	Propagator propagation.TextMapPropagator

	// HostKey names a request's host in the resilient.host attribute.
	// Nil means req.URL.Host, the key that the stack's breakers and
	// limits use by default; pass the same function as
	// transport.BreakerConfig.Key when you key them otherwise, so that
	// traces, metrics and the status page name hosts alike.
	HostKey func(*http.Request) string

	// SetStatus, when true, makes the hooks set the span's status to
	// Error when a call ends with an error or a result classified as a
	// failure. False, the default, leaves the status to the span's owner:
	// NewTracing's call span sets its own, as otelhttp's does. Set it for
	// Hooks used alone on a span you start yourself.
	SetStatus bool
}
