package keymap

import (
	"errors"
	"hash/maphash"
	"iter"
	"sync/atomic"
)

// ErrFull is [Map.LoadOrNew]'s error for a new key that finds a map
// without Config.Evict full.
var ErrFull = errors.New("keymap: full")

// Config describes a [Map]; [New] builds one.
type Config[K comparable, V any] struct {
	// Max is the most keys the map holds, unless Evict chooses to let it
	// grow (see Evict). It must be at least 1.
	Max int

	// New returns the value of a key met for the first time. LoadOrNew
	// calls it under the key's shard lock, at most once per insertion: all
	// the callers that meet the new key together get the one value. An
	// error is returned by LoadOrNew and nothing is inserted.
	New func(K) (V, error)

	// Evict chooses what to evict when a new key finds the map full: it
	// is shown a sample of a shard's entries (5, or all of them when the
	// map is no bigger) and sets Entry.Evict on those to remove. It runs under the shard lock and must be quick. When it
	// marks none, the new key goes in anyway, beyond Max: an Evict that
	// always marks one keeps the bound. Nil means nothing is ever evicted:
	// past Max, LoadOrNew returns ErrFull.
	Evict func(sample []Entry[K, V])

	// OnEvict, if set, is called with each evicted entry once it is
	// removed, under the shard lock.
	OnEvict func(key K, value V)
}

// Entry is one key and its value, as [Config.Evict] sees them.
type Entry[K comparable, V any] struct {
	Key   K
	Value V

	// Evict is set by Config.Evict to evict the entry.
	Evict bool
}

// Map is a concurrent map from keys to values, bounded in size, that
// creates a key's value on first use. See the package documentation for
// its design and costs.
//
// Create a Map with [New]; it is safe for concurrent use. It starts no
// goroutine.
type Map[K comparable, V any] struct {
	cfg    Config[K, V]
	seed   maphash.Seed
	shift  uint         // a hash's shard is hash >> shift
	tomb   *entry[K, V] // marks a removed entry's slot
	shards []shard[K, V]

	// size counts the keys, and the places reserved for keys being
	// inserted: inserts reserve theirs first, so the bound is the map's,
	// not each shard's.
	size atomic.Int64
}

// entry is one key and its value. It is immutable once published.
type entry[K comparable, V any] struct {
	hash uint64
	key  K
	val  V
}

// Sharding: one shard while Max < 2·minShardKeys, so that small maps
// evict exactly; then shards of minShardKeys to 2·minShardKeys keys, at
// most maxShards of them.
const (
	minShardKeys = 64
	maxShards    = 32
	sampleSize   = 5 // as Redis samples
)

// New returns an empty [Map] for c. It panics if c.Max is not positive or
// c.New is nil: its callers validate their own configuration first.
func New[K comparable, V any](c Config[K, V]) *Map[K, V] {
	if c.Max < 1 || c.New == nil {
		panic("keymap: Max must be positive and New set")
	}
	n, bits := 1, uint(0)
	for n < maxShards && n*2*minShardKeys <= c.Max {
		n, bits = n*2, bits+1
	}
	m := &Map[K, V]{cfg: c, seed: maphash.MakeSeed(), shift: 64 - bits, tomb: &entry[K, V]{}, shards: make([]shard[K, V], n)}
	for i := range m.shards {
		s := &m.shards[i]
		s.share = c.Max / n
		if i < c.Max%n {
			s.share++
		}
		s.table.Store(newTable[K, V](minSlots))
		s.sample = make([]Entry[K, V], 0, sampleSize)
		s.at = make([]uint64, 0, sampleSize)
	}
	return m
}

// shardOf returns the shard of a key with hash h.
func (m *Map[K, V]) shardOf(h uint64) *shard[K, V] {
	// h >> 64 is 0 in Go: a single shard needs no special case.
	return &m.shards[h>>m.shift]
}

// Load returns the value of key and whether it is there. It neither locks
// nor allocates.
func (m *Map[K, V]) Load(key K) (V, bool) {
	h := maphash.Comparable(m.seed, key)
	if e := m.find(m.shardOf(h).table.Load(), h, key); e != nil {
		return e.val, true
	}
	var zero V
	return zero, false
}

// LoadOrNew returns the value of key, creating it with Config.New on first
// use (which may evict others; see [Config]). For a key that is there, it
// neither locks nor allocates. It returns New's error, or [ErrFull] when
// key is new and the map is full and has no Config.Evict.
func (m *Map[K, V]) LoadOrNew(key K) (V, error) {
	h := maphash.Comparable(m.seed, key)
	s := m.shardOf(h)
	if e := m.find(s.table.Load(), h, key); e != nil {
		return e.val, nil
	}
	return m.insert(s, h, key)
}

// Len returns the number of keys in the map.
func (m *Map[K, V]) Len() int {
	n := 0
	for i := range m.shards {
		n += int(m.shards[i].size.Load())
	}
	return n
}

// All returns an iterator over the map's keys and values, in no
// particular order. It sees each shard as it was when it reached it: keys
// inserted or evicted meanwhile may be missed or visited.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := range m.shards {
			t := m.shards[i].table.Load()
			for j := range t.slots {
				if e := t.slots[j].Load(); e != nil && e != m.tomb && !yield(e.key, e.val) {
					return
				}
			}
		}
	}
}
