// Package transport is the HTTP layer of resilient: the vocabulary that every
// HTTP middleware shares, and the middlewares themselves.
//
// # Vocabulary
//
// A Middleware wraps an http.RoundTripper; Chain stacks middlewares over a
// base RoundTripper, first outermost, so that
//
//	client := &http.Client{Transport: transport.Chain(nil, retry)}
//
// gives a client whose every request goes through retry and then
// http.DefaultTransport. RoundTripperFunc turns a function into a
// RoundTripper.
//
// A Classifier judges each attempt once, for every middleware: its Outcome
// (Success, Failure, or Ignored when the caller cancelled) feeds breakers,
// budgets and adaptive limits; Retryable and RetryAfter feed retries.
// DefaultClassifier treats transport errors, 429 and 5xx except 501 as
// retryable failures, except the transport errors that Permanent reports
// (TLS certificates, bad schemes, too many redirects: go-retryablehttp's
// list, so that both libraries agree).
// Replace it to teach the stack your API's own signals.
//
// # Retries
//
// Retry repeats failed attempts with jittered backoff (package backoff),
// under a retry budget that keeps an outage from multiplying the load on
// the backend, honouring Retry-After, and only when repeating is safe: an
// idempotent method, an Idempotency-Key header, a context marked
// WithIdempotent, or an error that proves nothing was sent (NotSent).
// Request bodies are replayed with GetBody; discarded responses are drained
// so connections are reused; the caller's request is never modified.
//
// # The assembled stack
//
// New builds the recommended stack in one call from a Config whose zero
// value is the recommended defaults, validated at construction (timeouts
// that fit together, a breaker window that sees several attempts, backoff
// that fits the total timeout). Its Snapshot reports every stage: breaker
// states per host, the retry budget, per-host limits and queues, pool
// reuse. Users who want their own order still have Chain and the
// individual middlewares, and what New builds its stack from: NewObserver
// for the hooks, NewLimiter for the per-host limits and their state, a
// *breaker.Group, a *backoff.Budget and a *balancer.Balancer of their own
// for the state of those stages.
//
// # Hedging and coalescing
//
// Hedge sends a second attempt of an idempotent request when the first has
// not answered after a delay (fixed, or a percentile of recent latency);
// the first good answer wins, the losers are cancelled and drained, and
// hedges draw on the retry budget. Coalesce lets identical concurrent GETs
// share one upstream call (golang.org/x/sync/singleflight), each caller
// with its own copy of the body. AttemptTimeout and TotalTimeout bound an
// attempt and a whole call.
//
// # Breakers and load control
//
// Breaker guards each host with a circuit breaker (package breaker): while
// open, requests fail at once with an error matching breaker.ErrOpen,
// without touching the network. Limit protects each host from overload and
// obeys its pushback: a 429/503 with Retry-After pauses the host for the
// whole client; optional rate limits (package limiter, on x/time/rate) and
// per-host concurrency limits, fixed or adaptive, with a shallow queue in
// front (package queue). Against a rate quota, LimitConfig.AdaptiveRate
// replaces the pause with a rate that the server's 429s set (the AWS
// SDKs' adaptive mode). Rejections by our own layers are marked NotSent,
// classified Ignored and not retryable: an outer Retry fails fast on them
// and an outer Breaker does not count them against the host.
//
// # Balancing over replicas
//
// Balance sends each attempt to one replica of a service, picked by a
// balancer.Balancer (Peak EWMA by default) fed by a discovery.Resolver
// (static, DNS, file, or your registry); BalanceCall, above Retry and
// Hedge, makes a retry or a hedge go to a replica the call has not tried.
// Config.Balance puts both in the assembled stack, above Breaker and Limit,
// so that breakers and pushback are per replica; Snapshot reports each
// endpoint, and NewHealthCheck adds active health checks.
//
// # Where it sits
//
// In the recommended stack (outermost first): observe, [coalesce],
// total deadline, [balance: per call], retry, [hedge], [balance: per
// attempt], breaker, limiter and queue, attempt timeout, [Config.Attempt
// middlewares, such as a logical-clock stamp], connection pool (package
// pool):
//
//	transport.Chain(pool, retry, breaker, limit)
//
// # One call, other settings
//
// WithCallOptions carries, in one call's context, settings that replace
// the stack's for that call: MaxAttempts (1 for no retry), TotalTimeout,
// AttemptTimeout, Idempotent. It is validated when made, and costs the
// stack a context lookup per call when unused.
//
// # go-retryablehttp
//
// Package retryablehttpx plugs our backoff, classification and retry
// budget into an existing retryablehttp.Client, so a team can adopt this
// package one piece at a time; transport itself does not import
// go-retryablehttp. A Transport from New
// also works as the Transport of a retryablehttp.Client's HTTPClient; but
// retrying in both layers multiplies the attempts (3 × 3 = 9 against a
// failing host, past the retry budget's reach), so let one layer retry:
// set the client's RetryMax to 0, or Config.Retry.Off.
//
// # Observation
//
// Config.Hooks receives every stage's events in one struct (calls,
// attempts, retries, budget refusals, breaker transitions, our own
// rejections, server pushback), in the spirit of net/http/httptrace;
// SlogHooks logs them with log/slog; JoinHooks lets several observers
// (metrics in package promx, tracing in otelx, logs) share one stack.
// Unset hooks cost nothing; setting any costs the call a context and a
// request copy, which is what lets the stages below count its attempts.
package transport
