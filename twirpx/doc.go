// Package twirpx puts the resilient stack (package transport) under
// Twirp's generated clients, with Twirp's semantics, which plain HTTP
// policies get wrong: every Twirp call is a POST, so no HTTP rule can tell
// which methods are safe to repeat; a failed connection reaches the caller
// as the code internal; and a server's internal (a bug) is not its
// unavailable (try again).
//
// # Use
//
// Build one Client and hand its HTTPClient and ClientOptions to the
// generated constructors:
//
//	c, err := twirpx.New(twirpx.Config{
//		Methods: map[string]twirpx.MethodPolicy{
//			"Haberdasher/MakeHat": {Idempotent: true, Timeout: 2 * time.Second},
//		},
//	})
//	…
//	hats := example.NewHaberdasherProtobufClient(url, c.HTTPClient(), c.ClientOptions()...)
//
// HTTPClient is a real *http.Client, so the generated code keeps its guard
// against redirects, and ClientOptions is one interceptor and one chained
// twirp.ClientHooks (twirp.WithClientHooks replaces earlier hooks, so pass
// yours in Config.ClientHooks and the options last).
//
// # What it does
//
// Under the client runs transport.New's stack (total deadline, retries
// with backoff and a retry budget, breakers, limits, attempt timeout,
// a tuned pool), configured for Twirp:
//
//   - Classification by Twirp error code (DefaultClassifier): unavailable
//     and resource_exhausted are retryable, after the server's Retry-After
//     or retry_after meta; deadline_exceeded is retryable; internal,
//     unknown and dataloss fail without a retry; application codes
//     (invalid_argument, not_found...) are answers, successes for the
//     breaker. Bodies that are not Twirp errors (a proxy's 502/503/504, a
//     reset) are judged as HTTP.
//   - Per-method policy (Config.Methods), from twirp.ServiceName and
//     twirp.MethodName in the request's context: which methods are
//     idempotent (opt-in: none by default, so a call that may have reached
//     the server is never repeated unless its method says so), and each
//     method's own timeout.
//   - One breaker per method and host (Client.MethodKey), so that one
//     failing method does not take the healthy ones of its server down.
//   - Deadline propagation: each attempt carries its remaining time in a
//     header (DefaultTimeoutHeader, gRPC's grpc-timeout encoding);
//     DeadlineHandler, on the server, turns it into the request context's
//     deadline, under a cap.
//   - Errors stay twirp.Errors with the right code: an open breaker is
//     unavailable with resilient_cause=breaker_open and a retry_after, a
//     limiter's refusal resource_exhausted, a timeout deadline_exceeded;
//     errors.Is still finds breaker.ErrOpen, context.DeadlineExceeded and
//     the other sentinels (see ClientOptions).
//
// Retries happen below the generated client, inside one call of its
// HTTPClient: Twirp's client hooks and interceptors see each logical call
// once, however many attempts it took; transport.Hooks (in
// Config.Transport.Hooks) see every attempt.
//
// # Where it sits
//
// twirpx is the top of the module's import graph: it builds on transport
// and its cores (breaker, limiter, queue, backoff, pool) and adds only
// what is Twirp's. For an HTTP API that is not Twirp, use transport.New.
package twirpx
