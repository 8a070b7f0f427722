// Package otelx traces the resilience stack with OpenTelemetry the way the
// semantic conventions for HTTP clients ask, and measures it with the OTel
// metric API.
//
// It is a module of its own (github.com/resilient-go/resilient/otelx,
// requiring the toolkit's root module), so that a program that imports
// transport and not otelx requires no OpenTelemetry library: `go mod tidy`
// in your module never moves your otel for ours.
//
// # Traces: a span per call, a span per attempt
//
// A Tracing (NewTracing) has three parts, wired into one stack:
//
//	tr := otelx.NewTracing(otelx.Config{})
//	stack, err := transport.New(transport.Config{
//		Hooks:   tr.Hooks(),                          // events on the call span
//		Attempt: []transport.Middleware{tr.Attempt},  // a client span per attempt
//	})
//	client := &http.Client{Transport: tr.Transport(stack)} // the call span
//
// The caller's call gets one span (kind Internal, "call GET"), child of the
// caller's span; each HTTP request sent (the first attempt, each retry,
// each hedge) gets a client span ("GET") under it with
// http.request.method, server.address, server.port, url.full,
// http.response.status_code, error.type when it failed, and
// http.request.resend_count from the second attempt on. Retries, the retry
// budget's refusals, our own stages' refusals (an open breaker, a limit, a
// full queue) and server pushback (a 429 or 503 with Retry-After) are
// events on the call span, which also gets resilient.host,
// resilient.attempts and resilient.outcome. Each attempt sends its own
// trace context (Config.Propagator), so the server's spans join the
// attempt that reached them. A refused call has a call span with its
// event and error.type, and no attempt span: nothing was sent.
//
// # Beside otelhttp
//
// Do not wrap the stack in otelhttp's transport as well: otelhttp
// outermost makes one client span for all attempts (it cannot see them),
// and otelhttp as the stack's Base makes a second client span per attempt.
// Keep otelhttp for your servers (otelhttp.NewHandler), whose spans become
// the parents of the call spans, and for clients that do not use the
// stack. If a shared wrapper puts otelhttp around every client anyway
// (otelhttp.NewTransport(tr.Transport(stack))), the trace stays right: its
// span parents the call span, and the attempts' trace context replaces the
// header it set. docs/recipes/tracing tests both.
//
// Hooks alone (the package function) annotate whatever span the request's
// context carries, for a stack traced some other way; set
// Config.SetStatus if nothing else marks that span as failed.
//
// Several observers share the stack through transport.JoinHooks:
//
//	Hooks: transport.JoinHooks(tr.Hooks(), metrics.Hooks(), transport.SlogHooks(logger))
//
// # Metrics
//
// Metrics (NewMetrics) records, through the OTel metric API, what promx
// exports to Prometheus: http.client.request.duration (the conventions'
// histogram, in seconds, one observation per attempt, with its
// attributes), and the stack's own: calls by how they ended for their
// caller, retries, refusals, breaker transitions, and breaker states read
// from the Transport's Snapshot.
//
// # Sampling and cost
//
// The hooks respect the parent's sampling decision: when the span is not
// recording (not sampled, or no span at all) every hook returns after one
// context lookup, without allocating. An attempt whose call is not sampled
// starts no span and clones nothing. Only recording spans pay for spans,
// events and attributes.
//
// The package uses the OpenTelemetry API alone (go.opentelemetry.io/otel
// and its trace, metric, propagation, attribute and codes packages); the
// SDK that records and exports is the application's choice.
package otelx
