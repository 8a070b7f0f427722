package breaker

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// GroupConfig describes a [Group]; [NewGroup] builds one. Every zero field
// means its default.
type GroupConfig struct {
	// Breaker is the template of every breaker of the group; each one's
	// Name is set to its key. Its zero fields mean the defaults of
	// [Config], and it is validated by NewGroup. Its OnStateChange, if
	// set, is called for every key, before the group's.
	Breaker Config

	// MaxKeys is the most breakers the group holds. Zero means 1024;
	// negative is an error. See [Group.Get] for what happens beyond it.
	MaxKeys int

	// IdleAfter is how long a closed breaker must have seen no calls
	// before it may be evicted to make room for a new key. Zero means 10
	// minutes; negative is an error.
	IdleAfter time.Duration

	// OnStateChange, if set, is called after every transition of every
	// breaker of the group, with the same rules as Config.OnStateChange.
	// StateChange.Name is the key.
	OnStateChange func(StateChange)
}

// Group defaults.
const (
	defaultMaxKeys   = 1024
	defaultIdleAfter = 10 * time.Minute
)

// Group holds one [Breaker] per key (a host, a method), created on first
// use from a template [Config]. transport.Breaker uses one, keyed by host.
//
// Lookups of existing keys are one atomic pointer load and one map lookup
// in an immutable map: they neither lock nor allocate, and cores looking
// up together do not contend. Creating a key (and evicting others) copies
// the map under a mutex, which costs O(keys): a Group suits a bounded,
// mostly stable key set (hosts, methods), not a key per request. Mind the
// memory of MaxKeys breakers (see [Breaker]): up to 38 MB for 1024 keys on
// a machine with 16 or more cores.
//
// Create a Group with [NewGroup]; it is safe for concurrent use. It starts
// no goroutine.
type Group struct {
	cfg       Config // validated template; Name is set per key
	maxKeys   int
	idleAfter time.Duration

	m  atomic.Pointer[map[string]*Breaker] // immutable once published
	mu sync.Mutex                          // serialises inserts and evictions
}

// NewGroup returns an empty [Group] for c. It validates the template
// c.Breaker like [New], and MaxKeys and IdleAfter; a bad field gives an
// error wrapping [ErrInvalidConfig] that names it.
func NewGroup(c GroupConfig) (*Group, error) {
	if c.MaxKeys < 0 {
		return nil, invalid("MaxKeys %d is negative", c.MaxKeys)
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = defaultMaxKeys
	}
	if c.IdleAfter < 0 {
		return nil, invalid("IdleAfter %v is negative", c.IdleAfter)
	}
	if c.IdleAfter == 0 {
		c.IdleAfter = defaultIdleAfter
	}
	bc, err := c.Breaker.withDefaults()
	if err != nil {
		return nil, err
	}
	switch tpl, grp := bc.OnStateChange, c.OnStateChange; {
	case tpl != nil && grp != nil:
		bc.OnStateChange = func(ch StateChange) { tpl(ch); grp(ch) }
	case grp != nil:
		bc.OnStateChange = grp
	}
	g := &Group{cfg: bc, maxKeys: c.MaxKeys, idleAfter: c.IdleAfter}
	g.m.Store(&map[string]*Breaker{})
	return g, nil
}

// Get returns the breaker for key, creating it on first use. Every caller
// asking for the same key gets the same breaker, concurrent first callers
// included, for as long as the key stays in the group.
//
// When a new key would take the group beyond MaxKeys, Get first evicts
// every closed breaker that has seen no call for IdleAfter; if there is
// none, it evicts the least recently used breaker, whatever its state, so
// that the bound always holds (an evicted open breaker forgets that it
// was open: size MaxKeys above the number of keys in use). An evicted
// breaker keeps working for whoever still holds it, but the group no
// longer knows it: the next Get of its key creates a new one.
//
// "Recently used" is measured by the breaker's coarse clock: to the bucket
// (Window.Period/Window.Buckets, or 1s for a count window), and, after a
// breaker's traffic drops, as of its latest clock read (see the package
// documentation), so a breaker can look idle up to about 64 calls late.
func (g *Group) Get(key string) *Breaker {
	if b := (*g.m.Load())[key]; b != nil {
		return b
	}
	return g.insert(key)
}

// insert is Get's path for a key not found.
func (g *Group) insert(key string) *Breaker {
	g.mu.Lock()
	defer g.mu.Unlock()
	old := *g.m.Load()
	if b := old[key]; b != nil {
		return b // inserted while we waited for the lock
	}
	c := g.cfg
	c.Name = key
	b := newBreaker(c)
	next := make(map[string]*Breaker, min(len(old)+1, g.maxKeys))
	if len(old) < g.maxKeys {
		maps.Copy(next, old)
	} else {
		g.evictInto(next, old)
	}
	next[key] = b
	g.m.Store(&next)
	return b
}

// evictInto copies into next the breakers of old that survive eviction:
// all but the idle closed ones, or, if none is idle, all but the least
// recently used. Requires g.mu held.
func (g *Group) evictInto(next, old map[string]*Breaker) {
	now := time.Now()
	var lruKey string
	var lruAt time.Time
	found, evicted := false, false
	for k, b := range old {
		at := b.lastUsedAt()
		if stateOf(b.word.Load()) == Closed && now.Sub(at) >= g.idleAfter {
			b.stop()
			evicted = true
			continue
		}
		if !found || at.Before(lruAt) || (at.Equal(lruAt) && k < lruKey) {
			lruKey, lruAt, found = k, at, true
		}
		next[k] = b
	}
	if !evicted && found {
		next[lruKey].stop()
		delete(next, lruKey)
	}
}

// lastUsedAt returns when b last saw a call, to its coarse clock's
// precision (its creation time if it never did).
func (b *Breaker) lastUsedAt() time.Time {
	return b.base.Add(time.Duration(b.lastUsed.Load() * b.tick))
}

// Allow is Get(key).Allow().
func (g *Group) Allow(key string) (Permit, error) {
	return g.Get(key).Allow()
}

// Len returns the number of breakers in the group.
func (g *Group) Len() int { return len(*g.m.Load()) }

// Range calls f for each key and breaker in the group, in no particular
// order, until f returns false. It sees the group as it was when Range
// began: keys inserted or evicted meanwhile may be missed or visited.
func (g *Group) Range(f func(key string, b *Breaker) bool) {
	for k, b := range *g.m.Load() {
		if !f(k, b) {
			return
		}
	}
}

// Snapshots returns a [Snapshot] of every breaker in the group, sorted by
// Name (the key).
func (g *Group) Snapshots() []Snapshot {
	m := *g.m.Load()
	s := make([]Snapshot, 0, len(m))
	for _, b := range m {
		s = append(s, b.Snapshot())
	}
	slices.SortFunc(s, func(a, b Snapshot) int { return cmp.Compare(a.Name, b.Name) })
	return s
}
