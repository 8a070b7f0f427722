// Package backoff decides when to retry: how long to wait before each
// retry (a [Strategy]), whether a retry may be made at all (a [Budget]),
// and what a server's Retry-After header asks for ([ParseRetryAfter]).
//
// It is a leaf of the module with no HTTP knowledge: it can pace retries
// around any call (an HTTP request, a Twirp method, a database query) and
// imports only the standard library, net/http excluded. transport.Retry
// uses it: before retry number n it asks the Budget ([Budget.TryRetry]),
// then waits max(Strategy.Backoff(n), Retry-After); it calls
// [Budget.Success] after each successful call.
//
// # Backoff strategies
//
// [New] builds a jittered exponential strategy from a [Config]. For a
// 0-based attempt n (Backoff(0) is the wait before the first retry) the
// envelope is
//
//	v = min(Max, Base·Multiplier^n)          defaults: Base 100ms, Multiplier 2, Max 10s
//
// and the [Jitter] mode picks the wait from it, with r uniform in [0, 1):
//
//	FullJitter          r·v                                  (default)
//	EqualJitter         v/2 + r·v/2
//	DecorrelatedJitter  Base + r·(min(Max, Base·3^(n+1)) − Base)
//	ProportionalJitter  min(Max, v·(1 − Spread + 2·Spread·r))  Spread default 0.2
//	NoJitter            v
//
// Full, equal and decorrelated jitter are those of the AWS Architecture
// Blog, "Exponential Backoff And Jitter" (Marc Brooker, 2015), which found
// full jitter to do the least work for competing clients; hence it is the
// default. AWS's decorrelated jitter is stateful (sleep = min(cap, U(base,
// 3·prev))); [DecorrelatedJitter] is its stateless envelope, so one
// strategy can be shared by concurrent requests. Proportional jitter is
// the gRPC connection-backoff style (grpc/grpc doc/connection-backoff.md:
// base 1s, multiplier 1.6, jitter ±20 %, max 120s), which [GRPC] returns.
//
// The envelope is computed in floating point: a huge attempt (1000,
// math.MaxInt) gives Max, never an overflowed or negative duration.
// Strategies are stateless, safe for concurrent use, and do not allocate
// per Backoff call. The random source is injectable (Config.Rand) for
// deterministic tests.
//
// # Retry budget
//
// Backoff alone spaces retries out but does not limit them: with 3
// attempts per call, a total outage triples the load on the failing
// server just when it can least take it. A [Budget] caps retries at a
// fraction of recent successful calls plus a small floor:
//
//	retries ≤ MaxTokens + Ratio·successes + MinPerSecond·seconds
//	defaults: Ratio 0.2, MaxTokens 10 (the bucket starts full), MinPerSecond 1
//
// It is a token bucket shaped like Finagle's RetryBudget (Twitter
// Finagle, com.twitter.finagle.service.RetryBudget: a deposit per call, one
// token withdrawn per retry, a minimum number of retries per second;
// Finagle defaults percentCanRetry 20 %, minRetriesPerSec 10, ttl 10s), but,
// as in gRPC retry throttling (gRFC A6: tokens start at maxTokens, success
// +tokenRatio, failure −1, no retries at or below half), only successful
// calls deposit. The reasons:
//
//   - Total outage: nothing is deposited, so after the initial burst only
//     the floor allows retries and the load amplification (attempts per
//     call) tends to 1 + floor/call-rate, about 1.0×. Finagle's deposit on
//     every call would let 1 + Ratio (1.2×) through.
//   - Partial failure (10–30 % errors): retries keep working up to Ratio
//     of the successes (with Ratio 0.2, every failed call is retried up to
//     about 17 % errors, and 0.2·(1−e) of all calls above that), whereas
//     gRPC throttling with its default ratio 0.1 drains its bucket once
//     errors exceed 0.1/1.1 ≈ 9 % and then switches retries off entirely,
//     exactly when a retry would most often succeed.
//
// [Budget.Success] is the hot path, called on every successful call: it
// does not allocate or read the clock, and when the bucket is full it is a
// single atomic load. [Budget.TryRetry] is on the slow path (a retry is
// about to happen): it credits the time-based floor, then withdraws a
// token. [Unlimited] turns the budget off.
//
// # Retry-After
//
// [ParseRetryAfter] reads an HTTP Retry-After value (RFC 9110 section
// 10.2.3): delta-seconds or an HTTP-date in any of the three formats
// net/http accepts, relative to an injected now, never negative and
// clamped to a maximum. The caller should never wait less than the
// server asked (do not jitter below it) and should skip the retry when
// the remaining deadline is shorter than the wait.
package backoff
