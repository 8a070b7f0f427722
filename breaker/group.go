package breaker

import (
	"cmp"
	"slices"
	"time"

	"github.com/resilient-go/resilient/internal/keymap"
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
// Lookups of existing keys are a hash and a probe of a lock-free table:
// they neither lock nor allocate, and cores looking up together do not
// contend. Creating a key locks one shard of the group and costs the same
// whatever the number of keys (evicting one, past MaxKeys, included), so a
// caller that meets new hosts all the time (a crawler, a webhook sender)
// pays little more for a new host than for a known one: a breaker starts
// small (480 bytes) and grows its striped window only once its key
// is busy (see [Breaker] for its memory): 1024 busy keys hold up to 30 MB
// on a machine with 16 or more cores.
//
// Create a Group with [NewGroup]; it is safe for concurrent use. It starts
// no goroutine.
type Group struct {
	set       *settings // the validated template's, shared by every breaker
	idleAfter time.Duration

	m *keymap.Map[string, *Breaker]
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
	g := &Group{set: newSettings(bc), idleAfter: c.IdleAfter}
	g.m = keymap.New(keymap.Config[string, *Breaker]{
		Max:     c.MaxKeys,
		New:     g.newBreaker,
		Evict:   g.evict,
		OnEvict: func(_ string, b *Breaker) { b.stop() },
	})
	return g, nil
}

// Get returns the breaker for key, creating it on first use. Every caller
// asking for the same key gets the same breaker, concurrent first callers
// included, for as long as the key stays in the group.
//
// When a new key would take the group beyond MaxKeys, Get makes room
// among a sample of the group's breakers (5 of them; all of them while
// MaxKeys is 5 or less): it evicts every closed breaker of the sample that
// has seen no call for IdleAfter; if there is none, the least recently
// used breaker of the sample, whatever its state, so that the bound always
// holds (an evicted open breaker forgets that it was open: size MaxKeys
// above the number of keys in use). This approximates evicting the least
// recently used breaker of the whole group (as Redis does) at a cost that
// does not grow with MaxKeys. An evicted breaker keeps working for
// whoever still holds it, but the group no longer knows it: the next Get
// of its key creates a new one.
//
// "Recently used" is measured by the breaker's coarse clock: to the bucket
// (Window.Period/Window.Buckets, or 1s for a count window), and, after a
// breaker's traffic drops, as of its latest clock read (see the package
// documentation), so a breaker can look idle up to about 64 calls late.
func (g *Group) Get(key string) *Breaker {
	b, _ := g.m.LoadOrNew(key) // cannot fail: newBreaker does not, and evict is set
	return b
}

// newBreaker is the key map's New.
func (g *Group) newBreaker(key string) (*Breaker, error) {
	return newBreaker(key, g.set), nil
}

// evict marks the breakers of sample to evict: the idle closed ones, or,
// if none is idle, the least recently used one (the smallest key among
// equals). It runs under the key map's shard lock, and reads one cache
// line of each sampled breaker.
func (g *Group) evict(sample []keymap.Entry[string, *Breaker]) {
	now := time.Now()
	lru, evicted := -1, false
	var lruIdle time.Duration
	for i := range sample {
		k, b := sample[i].Key, sample[i].Value
		idle := b.idleAt(now)
		if stateOf(b.word.Load()) == Closed && idle >= g.idleAfter {
			sample[i].Evict, evicted = true, true
			continue
		}
		if lru < 0 || idle > lruIdle || (idle == lruIdle && k < sample[lru].Key) {
			lru, lruIdle = i, idle
		}
	}
	if !evicted && lru >= 0 {
		sample[lru].Evict = true
	}
}

// idleAt returns how long b has seen no call at now, to its coarse
// clock's precision (since its creation if it never did). It is integer
// arithmetic on monotonic readings: no time.Time is built.
func (b *Breaker) idleAt(now time.Time) time.Duration {
	return now.Sub(b.base) - time.Duration(b.lastUsed.Load()*b.set.tick)
}

// Allow is Get(key).Allow().
func (g *Group) Allow(key string) (Permit, error) {
	return g.Get(key).Allow()
}

// Len returns the number of breakers in the group.
func (g *Group) Len() int { return g.m.Len() }

// Range calls f for each key and breaker in the group, in no particular
// order, until f returns false. Keys inserted or evicted while Range runs
// may be missed or visited.
func (g *Group) Range(f func(key string, b *Breaker) bool) {
	for k, b := range g.m.All() {
		if !f(k, b) {
			return
		}
	}
}

// Snapshots returns a [Snapshot] of every breaker in the group, sorted by
// Name (the key).
func (g *Group) Snapshots() []Snapshot {
	s := make([]Snapshot, 0, g.m.Len())
	for _, b := range g.m.All() {
		s = append(s, b.Snapshot())
	}
	slices.SortFunc(s, func(a, b Snapshot) int { return cmp.Compare(a.Name, b.Name) })
	return s
}
