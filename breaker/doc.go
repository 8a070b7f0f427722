// Package breaker is a circuit breaker: it watches the outcomes of calls to
// a destination and, when too many fail or are too slow, rejects further
// calls for a while, so that a failing destination gets room to recover
// and callers fail fast instead of queueing behind timeouts.
//
// Use a [Breaker] around calls to one destination, a [Group] for one
// breaker per key (per host, per Twirp method). Put it inside retries
// (a retry should not knock on an open breaker's door: the rejection is
// immediate and proves nothing was sent) and outside rate limits and
// queues (an open breaker must not queue).
//
// The package is a core of the module: it knows nothing about HTTP and
// imports only the standard library and [backoff], so it can guard any
// call (a Twirp interceptor, a database query). transport.Breaker adapts
// it to an http.RoundTripper, with a Group keyed by host and the shared
// outcome classification (a 503 or a reset connection is a Failure, a
// caller's cancellation is Ignored, a 404 is a Success).
//
// # Use
//
//	b, err := breaker.New(breaker.Config{Name: "api.example.com"})
//	…
//	p, err := b.Allow()
//	if err != nil {
//		return err // *breaker.OpenError; errors.Is(err, breaker.ErrOpen)
//	}
//	resp, err := call()
//	p.Done(classify(resp, err)) // breaker.Success, Failure or Ignored
//
// Done must be called exactly once for each admitted call. A Permit
// remembers the state generation that admitted it: an outcome reported
// after the breaker changed state is discarded.
//
// # States
//
//	                 trip: calls ≥ MinThroughput and (failures/calls ≥ FailureRatio
//	                 or slow/calls ≥ SlowCallRatio), or ConsecutiveFailures in a row
//	        ┌────────┐ ──────────────────────────────────▶ ┌──────┐
//	New ──▶ │ Closed │                                     │ Open │ ◀───────────┐
//	        └────────┘ ◀──────────┐                        └──────┘             │
//	            ▲                 │                            │                │
//	            │                 │ HalfOpenSuccesses          │ OpenUntil      │ a probe
//	            │                 │ probes succeeded           │ reached        │ failed
//	            │                 │                            ▼                │ (or was
//	            │                 │                      ┌──────────┐           │ slow)
//	            │                 └───────────────────── │ HalfOpen │ ──────────┘
//	            │                                        └──────────┘
//	            │ Reset()                           admits at most HalfOpenProbes
//	            │ from any state                    probes at a time
//
//	Isolate() from any state ──▶ Isolated: rejects every call, until Disable or Reset
//	Disable() from any state ──▶ Disabled: admits every call, never trips, still counts
//
// Closed admits every call and counts outcomes in a window. Open rejects
// every call with an [*OpenError] until OpenUntil, then turns HalfOpen:
// on time even when nobody calls (a [time.AfterFunc] timer, the breaker's
// only background activity, stopped when a manual transition gets there
// first), or at the first call after OpenUntil (whichever comes first).
// HalfOpen admits up to HalfOpenProbes calls at a time and rejects the
// rest; HalfOpenSuccesses successes close the breaker with an empty window,
// and any failed (or slow) probe opens it again, for a longer break when
// BreakBackoff is set. Isolated (forced open) rejects everything; Disabled
// (forced closed) admits everything and never trips, but still counts, so
// a [Snapshot] still shows the error rate. Reset returns to Closed, in
// automatic mode, with an empty window. Ignored outcomes (the caller
// cancelled, our own limiter rejected) count neither way.
//
// Every transition increments the generation, and is made by one
// CompareAndSwap of a single atomic word that holds the state and the
// generation; the goroutine that makes it (and only it) then calls
// OnStateChange, outside any lock, so the callback may read State or
// Snapshot, or even Reset the breaker.
//
// # Defaults
//
// The zero [Config] is [DefaultConfig]: trip when at least half of the
// calls of the last 10 seconds failed, once there were at least 20 of
// them; stay open about 300ms, then admit a single probe; each failed probe
// makes the next break 20 % longer, up to 2 s ([DefaultBreakBackoff]).
// Hystrix, Polly and failsafe-go stay open a fixed 5 to 60 seconds, which
// makes every outage, however short, cost that much failure afterwards;
// probing soon and backing off only while probes fail (Finagle's FailFast,
// gRPC's reconnect backoff) costs a short outage a short recovery and a
// long one a probe per 2 s, which finds its end within 2 s. Callers that
// can wait use [Breaker.Wait], which holds a call for the next probe when
// it is due within the call's deadline, until the outage has lasted five
// times that deadline. The model is Polly
// v8's circuit breaker (Polly.Core CircuitBreakerStrategyOptions: a
// failure ratio over a sampling duration, a minimum throughput, a break
// duration, one probe when half-open); the values are Netflix Hystrix's
// (errorThresholdPercentage 50, requestVolumeThreshold 20, a 10-second
// rolling window in 10 buckets, sleepWindow 5 seconds), which MicroProfile
// Fault Tolerance also uses (failureRatio 0.5, requestVolumeThreshold 20,
// delay 5s). Polly's own defaults are more conservative (ratio 0.1,
// minimum throughput 100, 30 seconds), suited to high-traffic services;
// ours trip sooner on the modest per-host traffic of a client. Slow-call
// tracking (off by default) follows resilience4j (slowCallDurationThreshold,
// slowCallRateThreshold 100 %); a count window of the last N calls is
// resilience4j's COUNT_BASED sliding window, with its default size of
// 100. A growing, jittered break on repeated trips (BreakBackoff) is
// Polly's BreakDurationGenerator made declarative: pass a
// [backoff.Strategy].
//
// # Cost, and what it approximates
//
// The closed state's success path (Allow, then Done(Success)) is built to
// cost a few nanoseconds, allocate nothing, and stay flat as cores are
// added, where a breaker that takes a mutex and reads the clock on every
// call costs ten times more and slows down with cores (docs/benchmarks.md
// and docs/scaling.md have the figures, beside the peers'). It does three
// things.
//
//   - Allow is one atomic load of the state word. Done checks that the
//     word still holds the Permit's generation (one more load).
//   - Striped counters. The time window is a ring of buckets per stripe,
//     with a power of two of stripes (at least 4·GOMAXPROCS, at most 64),
//     each on its own cache lines. A call picks a stripe at random
//     (math/rand/v2, per-thread and uncontended, unless Config.Rand is
//     set) and adds to the current bucket there, so cores seldom write
//     the same line. Reading the window (on a failure, a slow call, a
//     Snapshot) sums every stripe's buckets: O(stripes × buckets), off
//     the success path. A breaker starts with one stripe and grows the
//     others once a bucket counts 64 calls, so that the many breakers of
//     a [Group] that see a call now and then (a crawler's hosts) cost a
//     few hundred bytes each, and only the busy ones pay for stripes.
//   - A coarse clock. A clock read costs more than the rest of the path,
//     so a success does not read it: it is dated with a coarse epoch (the
//     current bucket number) held in an atomic, and refreshed by real
//     clock reads: on every failure, every slow-call check, every State
//     and Snapshot, every Allow while open or half-open, and on a success
//     with probability 1/K, where K adapts between 1 and 64 (it doubles
//     when a refresh finds the epoch unchanged and drops to 1 when it
//     finds it more than one bucket behind). So at high rates about one
//     success in 64 reads the clock, and at low rates every one does.
//
// The approximations, all small:
//
//   - A success may be dated early: by up to about one bucket under a
//     steady rate. After a pause, or a sudden drop in rate, successes are
//     dated at the last observed bucket until the next clock read (the
//     first failure, State or Snapshot, or on average K successes), and
//     fall out of the window early. Early-dated successes only make the
//     breaker forget successes sooner, which errs toward tripping;
//     failures are always dated exactly, and the first one after a pause
//     brings the clock (and K) back.
//   - The window slides a bucket at a time: a time window holds between
//     Period−Period/Buckets and Period of history.
//   - When a bucket is recycled for a new period, an add racing with the
//     recycling may be lost; a reader never counts an old period's counts
//     as current. An outcome reported just as the breaker changes state
//     may be counted in (or dropped from) the new state's window. The sum
//     over stripes is not one atomic cut. Without concurrency (and with
//     the clock read as above) the counts are exact.
//
// A count window ([CountWindow]) is exact (a ring of the last N outcomes
// with running totals), but every call increments one shared cursor, so
// it scales less with cores than the time window, the default.
//
// Slow-call tracking, when on, reads the clock twice per call (Allow and
// Done). Rejections read the clock once (to move to half-open on time) and
// do not allocate: one [OpenError] is shared by every caller rejected in a
// state generation.
//
// # Time and tests
//
// A Breaker measures time with package time's monotonic clock, taken from
// the moment of New; it has no injected clock. Tests drive it with
// testing/synctest, where time.Sleep advances a fake clock and the open
// state's timer fires at exactly OpenUntil.
//
// Its random draws (which successes read the clock, the stripe a call is
// counted in, the default break's jitter, the slow start of calls that
// Wait releases) come from Config.Rand when it is set: with a seeded
// source, a run in a bubble whose calls come in the same order repeats
// exactly (bench/fleetsim relies on it). A Group's eviction is the one
// choice that a seed does not reach: it samples its keys in the order of
// a hash seeded per Group.
package breaker
