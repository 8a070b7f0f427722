package balancer

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/discovery"
)

// Balancer picks an endpoint of a service for each attempt of a call and
// learns from each attempt's outcome and latency. Create one with New,
// give it endpoint sets with Update (or Follow a discovery.Resolver), and
// for every attempt call Pick, send the attempt to the Pick's address, and
// call Pick.Done with the outcome.
//
// A Balancer is safe for concurrent use. Pick and Done take no lock and
// allocate nothing: the set is an atomically swapped snapshot and each
// endpoint keeps its counters in atomics of its own. Update swaps the set
// under load without losing anything: an endpoint that stays keeps its
// in-flight count, latency and ejection; a pick of an endpoint that was
// removed completes normally (Done reports to it) while new picks go
// elsewhere.
//
// The zero Balancer is not usable. It starts no goroutine.
type Balancer struct {
	cfg   Config
	tau   float64 // Decay in ns
	epoch time.Time

	set atomic.Pointer[set]
	// rr is RoundRobin's position, written by each of its picks: the
	// padding keeps it off the cache line of set, down and cfg, which
	// every pick reads, so that concurrent picks do not bounce that line.
	_  [64]byte
	rr atomic.Uint64
	_  [56]byte
	// down counts the members of the current set that are ejected or
	// unhealthy (ejected counts until restored, even when its time is
	// up). It changes only under mu. Zero, nearly always, lets Pick skip
	// the panic check and each endpoint's availability check.
	down atomic.Int32

	mu      sync.Mutex
	members map[string]*member // the current set's, by address
	ejected int                // members of the current set counted as ejected
}

// set is one immutable endpoint set.
type set struct {
	entries []entry
	// seq is RoundRobin's weighted order of entry indices.
	seq []int32
}

type entry struct {
	m         *member
	invWeight float64 // 1/weight: a multiplication on the hot path
}

// New returns a Balancer configured by cfg, with no endpoints yet (Pick
// returns ErrNoEndpoints until the first Update).
func New(cfg Config) (*Balancer, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Balancer{cfg: c, tau: float64(c.Decay), epoch: time.Now(), members: map[string]*member{}}
	b.set.Store(&set{})
	return b, nil
}

// Config returns the configuration in use, defaults filled in.
func (b *Balancer) Config() Config { return b.cfg }

// nanos converts a time to the Balancer's clock.
func (b *Balancer) nanos(t time.Time) int64 { return int64(t.Sub(b.epoch)) }

// Update makes eps the endpoint set. It validates eps (see
// discovery.Validate) and changes nothing on error. Endpoints present in
// the old set keep their state.
func (b *Balancer) Update(eps []discovery.Endpoint) error {
	if err := discovery.Validate(eps); err != nil {
		return fmt.Errorf("balancer: %w", err)
	}
	now := b.nanos(time.Now())
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.members
	b.members = make(map[string]*member, len(eps))
	s := &set{entries: make([]entry, len(eps))}
	down, ejected := 0, 0
	for i, e := range eps {
		m := old[e.Addr]
		if m == nil {
			m = &member{b: b}
			m.winStart.Store(now)
		}
		ep := e
		m.ep.Store(&ep)
		m.inSet = true
		m.ejectedCounted = m.ejectedUntil.Load() != 0
		m.counted = m.ejectedCounted || m.unhealthy.Load()
		if m.ejectedCounted {
			ejected++
		}
		if m.counted {
			down++
		}
		b.members[e.Addr] = m
		s.entries[i] = entry{m: m, invWeight: 1 / float64(e.EffectiveWeight())}
	}
	for addr, m := range old {
		if _, kept := b.members[addr]; !kept {
			m.inSet, m.counted, m.ejectedCounted = false, false, false
		}
	}
	s.seq = smoothSequence(eps)
	b.ejected = ejected
	// The set before its count, which Pick reads the other way round: a
	// pick that reads this count reads this set or a later one, and a
	// pick that reads the old count of zero may read this set, whose
	// members were all in the old set (and so available) or are new.
	// Either way down == 0 means that no member Pick sees is ejected or
	// unhealthy, and Pick skips checking them.
	b.set.Store(s)
	b.down.Store(int32(down))
	return nil
}

// Follow subscribes b to r: every set r publishes becomes b's. It returns
// r's cancel function. Sets that b refuses (see Update) are skipped; the
// discovery resolvers never publish one.
func (b *Balancer) Follow(r discovery.Resolver) (cancel func()) {
	return r.Subscribe(func(eps []discovery.Endpoint) { _ = b.Update(eps) })
}

// Len returns the number of endpoints in the current set.
func (b *Balancer) Len() int { return len(b.set.Load().entries) }

// SetHealthy records an active health check's verdict on the endpoint at
// addr: an unhealthy endpoint is not picked (unless the panic threshold
// says to use everyone). Endpoints start healthy. It reports whether addr
// is in the current set.
func (b *Balancer) SetHealthy(addr string, healthy bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.members[addr]
	if m == nil {
		return false
	}
	m.unhealthy.Store(!healthy)
	b.recount(m)
	return true
}

// recount brings m's contribution to b.down up to date. Requires b.mu.
func (b *Balancer) recount(m *member) {
	if !m.inSet {
		return
	}
	down := m.ejectedCounted || m.unhealthy.Load()
	switch {
	case down && !m.counted:
		b.down.Add(1)
	case !down && m.counted:
		b.down.Add(-1)
	}
	m.counted = down
}
