package fleet

import "github.com/resilient-go/resilient/breaker"

// Stats counts what a [Limiter] did since it was created, over all keys
// (evicted keys included). [Limiter.Stats] returns it.
//
// Every call to Allow is decided once, by one of three sources: Local +
// Fleet + Fallback + Canceled = Allowed + Rejected + Canceled.
type Stats struct {
	// Allowed and Rejected count the calls let through and refused.
	// Canceled counts the calls whose context ended while they waited
	// for Redis.
	Allowed, Rejected, Canceled uint64

	// Local counts the calls decided without waiting for Redis: from a
	// lease, a cached denial or a cached pause.
	Local uint64

	// Fleet counts the calls decided by a Redis answer they waited for
	// (a new lease, or a denial).
	Fleet uint64

	// Fallback counts the calls decided by Config.Fallback because Redis
	// could not answer in time or its breaker was open.
	Fallback uint64

	// Paused counts the refusals due to a pause (shared or this
	// replica's own); they are among Rejected and Local.
	Paused uint64

	// RoundTrips counts the lease requests to Redis, answered or not;
	// Grants those that were granted; Leased the permits they granted;
	// Expired the leased permits dropped unused at the end of their
	// LeaseTTL. LastLease is the size of the most recent grant (of any
	// key).
	RoundTrips, Grants, Leased, Expired uint64
	LastLease                           int

	// RedisErrors counts the Redis calls that failed or timed out:
	// leases, pause reads and pause writes.
	RedisErrors uint64

	// Breaker is the state of the breaker around Redis: Closed while the
	// fleet limit is in force, Open while calls use the fallback,
	// HalfOpen while a call probes Redis.
	Breaker breaker.State

	// Keys is the number of keys tracked now; Evictions the number of
	// keys evicted to make room for new ones.
	Keys      int
	Evictions uint64
}

// Stats returns the limiter's counts. It locks each key in turn: call it
// for metrics and status pages, not on every call.
func (l *Limiter) Stats() Stats {
	l.kmu.Lock()
	sum := l.retired
	ev := l.evicted
	l.kmu.Unlock()
	var last int
	var lastAt int64 = -1
	keys := 0
	for _, s := range l.keys.All() {
		keys++
		s.mu.Lock()
		sum.add(&s.c)
		if s.c.lastLease > 0 && int64(s.leaseEnd) > lastAt {
			last, lastAt = s.c.lastLease, int64(s.leaseEnd)
		}
		s.mu.Unlock()
	}
	return Stats{
		Allowed:     sum.allowed,
		Rejected:    sum.rejected,
		Canceled:    sum.canceled,
		Local:       sum.local,
		Fleet:       sum.fleet,
		Fallback:    sum.fallback,
		Paused:      sum.paused,
		RoundTrips:  sum.roundTrips,
		Grants:      sum.granted,
		Leased:      sum.leased,
		Expired:     sum.expired,
		LastLease:   last,
		RedisErrors: sum.redisErrors,
		Breaker:     l.brk.State(),
		Keys:        keys,
		Evictions:   ev,
	}
}
