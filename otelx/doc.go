// Package otelx adds what the resilience stack knows to OpenTelemetry
// traces: a span event for each retry (attempt number, delay, reason), for
// each rejection by our own stages (an open breaker, a limit, a full queue,
// with the error), for each server pushback (a 429 or 503 with
// Retry-After), and attributes for the host key and the number of attempts
// on the call's span when it ends.
//
// It is a module of its own (github.com/resilient-go/resilient/otelx,
// requiring the toolkit's root module), so that a program that imports
// transport and not otelx requires no OpenTelemetry library: `go mod tidy`
// in your module never moves your otel for ours.
//
// # Where it sits
//
// It does not start spans: it decorates the span that the request's
// context carries. Wrap the assembled stack in otelhttp's transport, so
// that otelhttp starts one client span per logical call (its status, its
// HTTP attributes, the traceparent header) and our hooks annotate that
// span with what otelhttp cannot see:
//
//	stack, err := transport.New(transport.Config{
//		Hooks: otelx.Hooks(otelx.Config{}),
//	})
//	client := &http.Client{Transport: otelhttp.NewTransport(stack)}
//
// Put the other way round (otelhttp as the stack's Base), otelhttp starts
// one span per attempt and the hooks would annotate the caller's span
// instead: keep otelhttp outermost. Without otelhttp, start a client span
// yourself and pass its context with the request; set Config.SetStatus if
// nothing else marks the span as failed.
//
// Several observers share the stack through transport.JoinHooks:
//
//	Hooks: transport.JoinHooks(otelx.Hooks(otelx.Config{}), transport.SlogHooks(logger))
//
// # Sampling and cost
//
// The hooks respect the parent's sampling decision: when the span is not
// recording (not sampled, or no span at all) every hook returns after one
// context lookup, without allocating. Only recording spans pay for events
// and attributes.
//
// The package uses the OpenTelemetry API alone (go.opentelemetry.io/otel
// and its trace, attribute and codes packages); the SDK that records and
// exports spans is the application's choice.
package otelx
