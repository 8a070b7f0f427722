// Package limiter keeps a client from sending a destination more than it
// can take: a rate limit per key that a server can pause ([Rate]), a
// limit on the calls in flight, fixed or adapted to the destination's
// latency and overload signals ([Concurrency]), and client-side adaptive
// throttling ([Throttle]).
//
// It is a core of the module with no HTTP knowledge: it can guard any call
// (an HTTP request, a Twirp method, a database query) and imports only the
// standard library and golang.org/x/time/rate, net/http excluded.
// transport adapts it to an http.RoundTripper, per host.
//
// # Which limiter
//
//   - [Rate]: at most Limit calls per second per key, in bursts of up to
//     Burst, and a pause per key when a server pushes back (a 429 or 503
//     with Retry-After: [Rate.Pause]). Use it for a quota you know (an
//     API that allows 100 requests per second) and for pushback. Keys are
//     hosts (or Twirp methods): one Rate serves every host.
//   - [Concurrency]: at most Limit calls in flight. Fixed, it protects a
//     destination whose capacity you know; adaptive ([Gradient], [AIMD]),
//     it finds the capacity and follows it as it changes. It bounds load
//     better than a rate does: when the destination slows down, fewer
//     calls complete, so fewer start (Little's law: in flight = rate ×
//     latency). Use one per destination.
//   - [Throttle]: rejects calls locally, at random, in proportion to how
//     much more the client sends than the backend accepts. Use it for a
//     backend that refuses work it cannot do (429s, quota errors): the
//     client stops wasting its and the backend's time on requests bound to
//     be refused, yet keeps probing, so it notices the recovery. It is
//     gentler than a circuit breaker, which stops everything. Use one per
//     destination.
//   - [AdaptiveRate]: a rate that the server's throttling sets, the AWS
//     SDKs' adaptive mode: a throttle (a 429) cuts it to 0.7 × the
//     measured send rate, and it grows back along CUBIC's curve. Use it
//     for a quota you do not know: the client settles just under it
//     instead of pausing for every Retry-After (see docs/pushback.md).
//     Use one per destination.
//
// Every rejection is immediate (only [Rate.Wait] and [AdaptiveRate.Wait] wait), says why, and
// matches [ErrLimited]: the call was not sent, so it is safe to retry, and
// a circuit breaker should count it neither way.
//
// # Where they sit
//
// Package transport assembles the recommended stack; its documentation
// gives the order of the stages and why. There the limiters sit behind the
// circuit breaker and before the per-attempt timeout, and within their
// layer a call meets the Rate (its pause and its tokens), then the queue
// (queue.Queue, which waits for a slot), then the Concurrency (which
// measures the call). A Throttle sheds per destination on the same
// outcomes as a breaker, once per attempt; a retry budget
// (backoff.Budget) keeps retries of its rejections in check.
//
// An HTTP middleware wires a Rate with the request's host as the key, and
// keeps a Concurrency and a Throttle per host. When a response is a 429
// or 503 with a Retry-After, it calls [Rate.Pause] for the host: every
// request to it then waits (Wait) or is refused (Allow) until then, not
// just the one being retried.
//
// A Concurrency never waits: a shallow queue in front does the waiting.
// Give the queue the Concurrency's limit and have it follow the changes:
//
//	var q *queue.Queue
//	c, err := limiter.NewConcurrency(limiter.ConcurrencyConfig{
//		Algorithm:     limiter.Gradient,
//		OnLimitChange: func(_, n int) { q.SetLimit(n) },
//	})
//	…
//	q, err = queue.New(queue.Config{Limit: c.Limit()})
//	…
//	// For each call:
//	if err := r.Wait(ctx, host); err != nil {
//		return err
//	}
//	if err := q.Acquire(ctx); err != nil {
//		return err // queue.ErrFull, queue.ErrTimeout, or ctx's error
//	}
//	defer q.Release()
//	tok, err := c.Acquire()
//	if err != nil {
//		return err // rare: the queue has not yet seen a lowered limit
//	}
//	resp, err := send(ctx)
//	tok.Done(outcome(resp, err)) // Success, Dropped (503, 429, timeout) or Ignored
//
// OnLimitChange runs outside the Concurrency's locks, one call at a time,
// and its last call always carries the current limit, so the queue ends
// up with the right limit even when changes race.
//
// # No rate limit by default
//
// The module sets no rate limit unless asked. A token bucket of
// x/time/rate takes a mutex and reads the clock on every call, and its
// callers take turns, so it gets slower, not faster, as cores are added.
// That is a fine price for a quota that must be kept, not for every call
// of every client. With Limit rate.Inf, a Rate keeps no bucket (and takes
// no lock): it only applies server pushback. docs/limiter.md has the
// figures.
//
// # Algorithms and defaults
//
// Rate is x/time/rate's token bucket (golang.org/x/time/rate.Limiter), one
// per key: it holds up to Burst tokens, refilled at Limit per second; a
// call takes one. Limit has no default; Burst defaults to one second's
// worth of calls, max(1, ⌈Limit⌉). A pause (Rate.Pause) is capped at
// MaxPause, 30s by default, and only ever extended.
//
// Gradient is the gradient controller of Envoy's adaptive concurrency
// filter (envoyproxy.io, "Adaptive Concurrency" filter documentation;
// source/extensions/filters/http/adaptive_concurrency/controller/
// gradient_controller.cc). It periodically measures minRTT, the latency of
// the destination unloaded, by pinning the limit low (MinRTTLimit 3) for a
// number of calls (MinRTTSamples 50), and every Interval (100ms) compares
// it with sampleRTT, the median latency of the calls of the interval:
//
//	gradient = clamp(minRTT·(1+Buffer) / sampleRTT, 0.5, 2)      Buffer 0.25
//	limit    = gradient·limit + √(gradient·limit)
//
// While latency stays within the buffer, the limit grows (by the square
// root headroom at least); as calls queue and latency rises, it shrinks,
// by at most half per interval. minRTT is measured again every
// MinRTTInterval (60s, plus up to 15 % jitter), and whenever the limit has
// sat at MinLimit for five intervals. Envoy's defaults, except where noted
// in [GradientConfig]; MinLimit 1 and MaxLimit 1000 bound it. Two
// additions: an interval with a Dropped call caps the limit at
// limit·BackoffRatio (Envoy looks at latency only, and a fast refusal
// would look like a fast destination), and the limit does not grow while
// fewer than half of it were in flight (as in Netflix concurrency-limits).
// Against a destination whose latency grows in proportion to the calls in
// flight beyond its capacity C, it settles near 1.25·C + √(1.25·C), and it
// gets there from far above or below within a few seconds
// (TestGradientConvergesSimulated in this package's tests).
//
// Why not Netflix concurrency-limits' Gradient2Limit? Its reference
// latency is a long exponential average of the measured latency itself
// (600 samples). Under sustained queueing the average catches up with the
// queued latency, the gradient returns to 1, and its constant queueSize
// term keeps adding: the limit creeps up without bound for as long as the
// overload lasts. A minRTT measured at a pinned low concurrency is a
// reference that queueing cannot move. The price: during each
// measurement (50 calls, every minute) the limit is low, and calls beyond
// it are refused or queued.
//
// AIMD is additive increase, multiplicative decrease, as in TCP congestion
// control (RFC 5681) and Netflix concurrency-limits' AIMDLimit: +1 after
// a limit's worth of successes admitted while at least half the limit was
// in flight (about one round trip at full use); on a Dropped call (or one
// slower than AIMD.Timeout, off by default),
//
//	limit = max(MinLimit, min(limit − 1, ⌊limit·BackoffRatio⌋))  BackoffRatio 0.9
//
// once per window: the calls that were in flight at the decrease do not
// decrease it again. It needs an explicit overload signal (503, 429,
// timeouts): latency alone does not move it.
//
// Throttle is client-side adaptive throttling from the Google SRE book
// (Beyer, Jones, Petoff, Murphy, "Site Reliability Engineering", O'Reilly
// 2016, chapter 21, "Handling Overload"):
//
//	P(reject) = max(0, (requests − K·accepts) / (requests + 1))   K 2, Window 2 minutes
//
// counted over a window that slides in Buckets (20) steps.
//
// # Errors
//
// Rejections match [ErrLimited] and say why: which key and which rate, the
// end of a pause, the concurrency limit, the throttling probability. A
// Wait that would pass its context's deadline fails at once with an error
// that also matches context.DeadlineExceeded. A Wait whose context ends
// while it waits returns an error that matches ctx.Err() (and the
// context's cause) but not ErrLimited. Configuration errors wrap
// [ErrInvalidConfig] and name the field.
//
// # Cost
//
// None of them allocates on the success path; rejections allocate their
// error, except a Rate's rate-limit rejection, which is shared per key.
// What each costs per call, and the command that measures it, is in
// docs/limiter.md.
//
// # Time and tests
//
// Every limiter reads package time's clock, monotonic where it can: test
// code that uses them with testing/synctest, whose fake clock moves only
// when every goroutine of the test is blocked. A Throttle's and a
// Concurrency's random draws come from their config's Rand, which a
// seeded source makes repeatable. None starts a goroutine.
package limiter
