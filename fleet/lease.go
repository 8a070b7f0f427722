package fleet

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// leaseOp is one lease request to Redis. Callers that find the key
// without permits wait on done (or their own timeout); only one request
// per key is in flight at a time.
type leaseOp struct {
	want     int
	deadline time.Duration // when callers stop waiting for it
	done     chan struct{} // closed when the answer (or error) is in
	err      error         // set before done is closed
}

// leaseSize is how many permits to ask for: about half a LeaseTTL's worth
// at the key's recent rate of calls, at least 1, at most maxAsk (which a
// denial halves, so that a replica asking for many permits is not starved
// by replicas asking for few when the fleet is at its limit). It updates
// the rate estimate. Requires s.mu held.
//
// The rate is measured between lease requests, over at least LeaseTTL/4:
// a lease used up faster than that (a burst, or a lease too small for the
// rate) doubles the next one, rather than taking the short interval's
// rate at its word. The first request asks for one permit.
func (l *Limiter) leaseSize(s *keyState, now time.Duration) int {
	el := max(now-s.demandSince, l.cfg.LeaseTTL/4)
	sample := float64(s.demand) / el.Seconds()
	if !s.measured {
		s.measured = true
		sample = 0
	}
	// Smooth over a few requests: a burst sizes the next lease up, a
	// lull down, neither all at once.
	s.rate = 0.5*s.rate + 0.5*sample
	s.demand, s.demandSince = 0, now
	n := math.Ceil(s.rate * l.cfg.LeaseTTL.Seconds() / 2)
	return int(min(max(1, n), float64(s.maxAsk)))
}

// startLease starts a lease request for s on a goroutine of its own and
// returns it, or nil if the limiter is closing. p is the breaker's
// admission, reported by the request. Requires s.mu held.
func (l *Limiter) startLease(s *keyState, now time.Duration, p breaker.Permit) *leaseOp {
	// Never hold more than MaxLease: this is what bounds over-admission.
	want := min(l.leaseSize(s, now), l.cfg.MaxLease-s.permits)
	op := &leaseOp{
		want:     max(1, want),
		deadline: now + l.cfg.Timeout,
		done:     make(chan struct{}),
	}
	if !l.goStart(func() { l.lease(s, op, now, p) }) {
		return nil
	}
	s.op = op
	s.lastAsk = op.want
	return op
}

// prefetch starts a lease request in the background when a key's lease
// runs low (a quarter of the last request left), so that a key in steady
// use finds a new lease in hand instead of waiting for Redis. It does
// nothing while Redis's breaker refuses. Requires s.mu held.
func (l *Limiter) prefetch(s *keyState, now time.Duration) {
	p, err := l.brk.Allow()
	if err != nil {
		return
	}
	if l.startLease(s, now, p) == nil {
		p.Ignore()
	}
}

// lease asks Redis for op.want permits (all or nothing: GCRA's AllowN,
// whose accounting stays exact, where AllowAtMost's partial grants would
// drop fractions of a permit) and records the answer.
func (l *Limiter) lease(s *keyState, op *leaseOp, start time.Duration, p breaker.Permit) {
	ctx, cancel := context.WithTimeout(l.ctx, l.cfg.Timeout)
	res, err := l.gcra.AllowN(ctx, s.rateKey, l.cfg.Limit, op.want)
	cancel()
	now := l.now()
	l.report(p, err)

	s.mu.Lock()
	s.op = nil
	s.c.roundTrips++
	var lease Lease
	switch {
	case err != nil:
		op.err = err
		s.c.redisErrors++
	case res.Allowed > 0:
		s.dropExpired(now)
		s.permits += res.Allowed
		// From the answer's arrival, so that a slow answer (Timeout
		// may exceed LeaseTTL) is not stale on arrival. Permits left
		// from a previous lease (a prefetch came back before they were
		// used) live on with the new ones; the key never holds more
		// than MaxLease.
		s.leaseEnd = now + l.cfg.LeaseTTL
		s.maxAsk = min(2*s.maxAsk, l.cfg.MaxLease)
		s.c.granted++
		s.c.leased += uint64(res.Allowed)
		s.c.lastLease = res.Allowed
	default:
		s.denyUntil = now + max(res.RetryAfter, 0)
		s.maxAsk = max(1, s.maxAsk/2)
	}
	if err == nil {
		lease = Lease{Key: s.key, Requested: op.want, Granted: res.Allowed, RetryAfter: max(res.RetryAfter, 0), Took: now - start}
	}
	s.mu.Unlock()
	close(op.done)

	if err != nil {
		l.redisError(s.key, "lease", err)
	} else if h := l.cfg.Hooks.OnLease; h != nil {
		h(lease)
	}
}

// report tells the breaker around Redis how a call went. A call cut short
// by Close says nothing about Redis.
func (l *Limiter) report(p breaker.Permit, err error) {
	switch {
	case err == nil:
		p.Success()
	case l.ctx.Err() != nil && errors.Is(err, context.Canceled):
		p.Ignore()
	default:
		p.Failure()
	}
}

func (l *Limiter) redisError(key, op string, err error) {
	if h := l.cfg.Hooks.OnRedisError; h != nil {
		h(RedisError{Key: key, Op: op, Err: err})
	}
}
