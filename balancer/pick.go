package balancer

import (
	"math/rand/v2"
	"time"

	"github.com/resilient-go/resilient/discovery"
)

// Outcome is what an attempt says about its endpoint's health.
type Outcome uint8

const (
	// Success: the endpoint answered soundly (a 404 included).
	Success Outcome = iota
	// Failure: the endpoint failed or could not be reached (a 5xx, a
	// reset, a timeout). Failures count towards ejection and raise the
	// endpoint's latency cost.
	Failure
	// Ignored: the attempt says nothing about the endpoint (the caller
	// cancelled it, the server throttled it): only its in-flight count
	// is released.
	Ignored
)

// Pick is one attempt's endpoint. Report its end with Done, exactly once.
// The zero Pick is not a pick (Valid reports false).
type Pick struct {
	m     *member
	start int64
}

// Valid reports whether p came from a successful Pick.
func (p Pick) Valid() bool { return p.m != nil }

// Addr returns the endpoint's address, host:port.
func (p Pick) Addr() string { return p.m.ep.Load().Addr }

// Endpoint returns the endpoint (its latest weight, zone and metadata).
func (p Pick) Endpoint() discovery.Endpoint { return *p.m.ep.Load() }

// Done reports the attempt's outcome at now, which should come from the
// same clock as the pick's (time.Now): the difference is its latency.
func (p Pick) Done(now time.Time, o Outcome) {
	m := p.m
	if m == nil {
		return
	}
	b := m.b
	t := b.nanos(now)
	m.inflight.Add(-1)
	rtt := float64(max(t-p.start, 1))
	switch o {
	case Success:
		m.successes.Add(1)
		if m.consecutive.Load() != 0 {
			m.consecutive.Store(0)
		}
		m.observe(rtt, t, b.tau)
	case Failure:
		m.failures.Add(1)
		// A failure never lowers the average, so that a replica failing
		// fast does not look fast and draw more traffic. Ejection does the
		// rest.
		m.observe(max(rtt, m.latency(t, b.tau)), t, b.tau)
		if k := b.cfg.Outlier.ConsecutiveFailures; k > 0 && !b.cfg.Outlier.Disable && int(m.consecutive.Add(1)) >= k {
			b.eject(m, t, ReasonConsecutive)
		}
	default:
		m.ignored.Add(1)
	}
	b.endWindow(m, t)
}

// Pick chooses an endpoint for one attempt at now (time.Now), avoiding
// those in avoid (nil avoids nothing) when another is available. It
// returns ErrNoEndpoints before the first set, and ErrNoAvailable when
// every endpoint is unavailable and Config.DisablePanic is set.
func (b *Balancer) Pick(now time.Time, avoid *Tried) (Pick, error) {
	// down is read before the set, which Update writes first: down == 0
	// then vouches for every member of the set read (see Update).
	down := b.down.Load()
	s := b.set.Load()
	if len(s.entries) == 0 {
		return Pick{}, ErrNoEndpoints
	}
	t := b.nanos(now)
	var m *member
	if down == 0 && (avoid == nil || avoid.n == 0) {
		// Nearly every pick: every endpoint is available and none is to
		// be avoided, so the policy needs no check at all (the checks
		// were a fifth of a P2C pick's cost).
		if b.cfg.Policy == RoundRobin {
			seq := s.seq
			m = s.entries[seq[b.rr.Add(1)%uint64(len(seq))]].m
		} else {
			m = b.p2c(s, t)
		}
	} else {
		m = b.pickChecked(s, t, avoid, down)
		if m == nil {
			return Pick{}, ErrNoAvailable
		}
	}
	m.inflight.Add(1)
	return Pick{m: m, start: t}, nil
}

// pickChecked is Pick when some endpoint may be unavailable or avoided:
// each candidate is checked, and the checks relax (avoid nothing, then
// use everyone) until one passes. It returns nil when none does and
// Config.DisablePanic forbids using everyone.
func (b *Balancer) pickChecked(s *set, t int64, avoid *Tried, down int32) *member {
	all := b.panicking(len(s.entries), down)
	m := b.choose(s, t, avoid, all)
	if m == nil && avoid != nil && avoid.n > 0 {
		m = b.choose(s, t, nil, all)
	}
	if m == nil {
		if b.cfg.DisablePanic {
			return nil
		}
		m = b.choose(s, t, nil, true)
	}
	return m
}

// panicking reports whether too few endpoints are available for the
// unavailable ones to be skipped, down of the n being unavailable.
func (b *Balancer) panicking(n int, down int32) bool {
	if down == 0 || b.cfg.DisablePanic {
		return false
	}
	return float64(n-int(down)) < b.cfg.PanicThreshold*float64(n)
}

// usable reports whether e may be chosen.
func usable(e *entry, t int64, avoid *Tried, all bool) bool {
	if avoid.has(e.m) {
		return false
	}
	return all || e.m.available(t)
}

// pair draws two distinct endpoints of n ≥ 2 for P2C. Of two endpoints,
// the two are both, in an order that the clock turns (bit 4 of its ns),
// so that ties do not all go one way without a random draw.
func pair(n int, t int64) (i, j int) {
	if n == 2 {
		i = int(t>>4) & 1
		return i, 1 - i
	}
	// One 64-bit draw makes both indices (Lemire's multiply-shift, j
	// from the n-1 others). math/rand/v2's runtime generator is per
	// thread, so concurrent picks share no state. It is a fifth of a
	// pick, yet anything cheaper would be either shared (a written
	// atomic: no scaling) or reached through the runtime's internals.
	r := rand.Uint64()
	i = int((r >> 32) * uint64(n) >> 32)
	j = int((r & 0xffffffff) * uint64(n-1) >> 32)
	if j >= i {
		j++
	}
	return i, j
}

// p2c is P2C over a set whose endpoints are all usable.
func (b *Balancer) p2c(s *set, t int64) *member {
	n := len(s.entries)
	if n == 1 {
		return s.entries[0].m
	}
	i, j := pair(n, t)
	return b.cheaper(&s.entries[i], &s.entries[j], t)
}

// cheaper returns the member of the cheaper of a and c, a on a tie.
func (b *Balancer) cheaper(a, c *entry, t int64) *member {
	if b.cfg.Policy == LeastOutstanding {
		if float64(c.m.inflight.Load()+1)*c.invWeight < float64(a.m.inflight.Load()+1)*a.invWeight {
			return c.m
		}
		return a.m
	}
	// c first: a wins ties, so it is likelier to take the in-flight
	// increment next, and reading its cache line last leaves it fresh
	// for that (a few per cent with 8 to 16 cores on one set).
	oc, wc := c.m.inflight.Load(), c.m.ew.Load()
	oa, wa := a.m.inflight.Load(), a.m.ew.Load()
	var ca, cc float64
	if current(wa, t) && current(wc, t) {
		// Neither average needs decaying (the usual case on a busy
		// balancer): the costs inline to a few multiplications.
		ca, cc = costOf(oa, wa, a.invWeight), costOf(oc, wc, c.invWeight)
	} else {
		ca, cc = ewmaCost(oa, wa, t, b.tau, a.invWeight), ewmaCost(oc, wc, t, b.tau, c.invWeight)
	}
	if cc < ca {
		return c.m
	}
	return a.m
}

// choose returns a usable member by the policy, or nil.
func (b *Balancer) choose(s *set, t int64, avoid *Tried, all bool) *member {
	n := len(s.entries)
	if b.cfg.Policy == RoundRobin {
		k := b.rr.Add(1)
		seq := s.seq
		for x := range uint64(len(seq)) {
			e := &s.entries[seq[(k+x)%uint64(len(seq))]]
			if usable(e, t, avoid, all) {
				return e.m
			}
		}
		return nil
	}
	if n == 1 {
		if e := &s.entries[0]; usable(e, t, avoid, all) {
			return e.m
		}
		return nil
	}
	// Power of two choices: two distinct endpoints at random, the
	// cheaper wins.
	i, j := pair(n, t)
	a, c := &s.entries[i], &s.entries[j]
	if usable(a, t, avoid, all) && usable(c, t, avoid, all) {
		return b.cheaper(a, c, t)
	}
	return b.chooseSlow(s, t, avoid, all)
}

// chooseSlow is P2C when a draw met an unusable endpoint: it draws again,
// replacing unusable endpoints rather than letting the other one win by
// default, and scans when a few draws could not find two.
func (b *Balancer) chooseSlow(s *set, t int64, avoid *Tried, all bool) *member {
	n := len(s.entries)
	var cand [2]*entry
	k := 0
	for range 3 {
		r := rand.Uint64()
		i := int((r >> 32) * uint64(n) >> 32)
		j := int((r & 0xffffffff) * uint64(n-1) >> 32)
		if j >= i {
			j++
		}
		for _, x := range [2]int{i, j} {
			e := &s.entries[x]
			if (k == 0 || cand[0] != e) && usable(e, t, avoid, all) {
				cand[k] = e
				if k++; k == 2 {
					return b.cheaper(cand[0], cand[1], t)
				}
			}
		}
	}
	var best *entry
	bestCost := 0.0
	for i := range s.entries {
		e := &s.entries[i]
		if !usable(e, t, avoid, all) {
			continue
		}
		if c := b.cost(e, t); best == nil || c < bestCost {
			best, bestCost = e, c
		}
	}
	if best == nil {
		return nil
	}
	return best.m
}

// cost is what sending one more request to e costs under the policy.
func (b *Balancer) cost(e *entry, t int64) float64 {
	if b.cfg.Policy == LeastOutstanding {
		return float64(e.m.inflight.Load()+1) * e.invWeight
	}
	return ewmaCost(e.m.inflight.Load(), e.m.ew.Load(), t, b.tau, e.invWeight)
}
