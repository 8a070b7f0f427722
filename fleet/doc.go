// Package fleet is a rate limit shared by every replica of a client, kept
// in Redis, that keeps working when Redis does not.
//
// A per-process limit of 100 requests/s becomes 5,000/s at the upstream
// when the calling service runs 50 replicas. A [Limiter] keeps one limit
// per key (per host, per user key) for the whole fleet, in the Redis the
// replicas already share, with the GCRA of github.com/go-redis/redis_rate
// (the algorithm of Envoy's, GitHub's and Stripe's limiters; no script of
// ours). [Middleware] puts it in an HTTP client built with
// transport.Chain, where transport.Limit goes: behind the breaker, in front
// of the per-attempt timeout.
//
// # A module of its own
//
// This package is the nested module github.com/resilient-go/resilient/fleet,
// with its own go.mod, so that users who do not use Redis do not get
// go-redis and redis_rate in their module graph: the library's go.mod stays
// as lean as it was. The price is a second require line for those who do.
// Tests start redis-server processes of their own (the Debian package); they
// are skipped when there is none, unless CI=true.
//
// # Leases
//
// Asking Redis on every call would put a network round trip (30µs on
// loopback, a millisecond across a zone) and a Redis command on every call.
// Instead a Limiter takes permits in batches: redis_rate's AllowN(key, k) in
// one round trip, and hands them out locally (a mutex and a clock read:
// 40–100ns on a loaded 2-core machine, no allocation). The batch is sized from the key's recent rate of calls, to
// last about half of Config.LeaseTTL (100ms), between 1 and Config.MaxLease;
// a denial halves the next request, so that a replica asking for many
// permits is not starved by others asking for few when the fleet is at its
// limit. When a lease runs low (a quarter left) the next is requested in the
// background, so a key in steady use does not wait for Redis at all. AllowN
// grants all k permits or none, which keeps GCRA's accounting exact
// (AllowAtMost's partial grants would drop fractions of a permit, and
// under-admit at the limit).
//
// Unused permits expire with their lease, after LeaseTTL, so they cannot
// pile up. A replica holds at most MaxLease permits at any time, and every
// permit it holds was granted by Redis, within the limit. Hence the bound
// on over-admission: over any window, however long, the fleet admits at
// most
//
//	Rate·window + Burst + replicas × MaxLease
//
// where the first two terms are what GCRA would admit with one round trip
// per call, and the third the leases in hand when the window opens (also at
// most Rate·LeaseTTL + Burst, since they were all granted within one
// LeaseTTL). MaxLease defaults to one LeaseTTL's worth of the fleet's rate
// (20 for 200/s), so the excess is a fraction of a second's worth of calls,
// once, not per window. Leases also time-shift admissions by up to
// LeaseTTL, which matters only for windows that short.
//
// # When Redis is away
//
// Every Redis call has a short timeout (Config.Timeout, 50ms), and no call
// to Allow waits longer than that, whatever the go-redis client's own
// timeouts: the Redis calls run on the limiter's goroutines (at most one
// lease request and one pause read or write per key at a time), and callers
// wait for them with their own deadline. A circuit breaker of package
// breaker watches the Redis calls: three consecutive failures open it for
// 1s, during which calls do not ask Redis at all. Calls that Redis cannot
// decide go to Config.Fallback: FallbackLocal (the default) limits each
// replica to Limit/ExpectedReplicas per key with golang.org/x/time/rate,
// through limiter.Rate; FailOpen admits; FailClosed refuses (ErrUnavailable).
// After the break, one call probes Redis; when it answers, the breaker
// closes and the fleet limit resumes on its own. Leases already in hand
// are used while Redis is away.
//
// # Shared pushback
//
// A 429 or 503 with Retry-After seen by one replica pauses its key for the
// whole fleet ([Limiter.Pause]; the middleware does it): the pause applies
// to this replica at once and is written to Redis in the background (SET
// … PX NX, then PEXPIRE … GT so that a pause only ever grows; this needs
// Redis 7), capped at Config.MaxPause. Every replica reads the pause's time
// to live (PTTL) at most every Config.PauseRefresh (100ms), in the
// background, and refuses the key's calls while it lasts (ErrPaused). The
// pause reaches the fleet within about PauseRefresh.
//
// # Limits of the approach
//
//   - Clock skew between replicas does not matter: GCRA reads Redis's
//     clock (TIME, inside its script), and pauses are relative (PX, PTTL).
//     Leases expire on each replica's monotonic clock.
//   - Redis failover: replication is asynchronous, so a promoted replica
//     may have lost the latest GCRA states and pauses: the fleet may then
//     admit up to a Burst more per key, and a pause may be forgotten. A
//     promoted replica whose clock differs from the old primary's shifts
//     every key's GCRA state by the difference: ahead, extra admissions
//     (at most a Burst); behind, refusals until its clock catches up.
//   - While Redis is away the fleet admits Limit × (replicas running /
//     ExpectedReplicas) with FallbackLocal: keep ExpectedReplicas near the
//     real count (or above it, to err on the safe side).
//   - Fairness between replicas is not guaranteed: at the limit, permits go
//     to whoever asks first. While the fleet is at its limit, a replica
//     that was refused waits for GCRA's RetryAfter (one permit's interval,
//     Period/Rate) before it asks again, so Redis sees a few commands per
//     replica per permit interval, not one per offered call.
//   - Redis Cluster works (each key's state is one Redis key), but a key's
//     limit lives on one shard: a very hot key is one shard's load.
//
// # Observation
//
// [Limiter.Stats] counts decisions by source (Local: from a lease or a
// cached answer; Fleet: after a Redis answer; Fallback), leases (round
// trips, permits granted, expired, the last lease's size), Redis errors and
// the breaker's state. [Hooks] report each lease, each Redis error and each
// transition of the breaker around Redis.
package fleet
