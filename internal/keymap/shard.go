package keymap

import (
	"sync"
	"sync/atomic"
)

// minSlots is the size of a shard's first table.
const minSlots = 8

// table is an open-addressing hash table with linear probing. A slot holds
// nil (never used: a probe stops there), an entry, or the map's tombstone
// (a removed entry: a probe goes on). Only the shard's writer changes
// slots, and never back to nil, so a reader's probe always ends and finds
// every key that was there when it began.
type table[K comparable, V any] struct {
	slots []atomic.Pointer[entry[K, V]]
	mask  uint64 // len(slots)-1; len(slots) is a power of two
}

func newTable[K comparable, V any](n int) *table[K, V] {
	return &table[K, V]{slots: make([]atomic.Pointer[entry[K, V]], n), mask: uint64(n - 1)}
}

// shard is one part of a Map: a table that readers load, and the writer's
// state under mu.
type shard[K comparable, V any] struct {
	table atomic.Pointer[table[K, V]]
	_     [56]byte // keep the readers' line apart from the writers'

	size atomic.Int64 // live, for other shards' writers; written under mu

	mu     sync.Mutex    // serialises the shard's inserts and evictions; guards below
	share  int           // the shard's share of Config.Max
	live   int           // keys in the table
	used   int           // slots that are not nil: keys and tombstones
	hand   uint64        // where the next eviction sample starts
	sample []Entry[K, V] // Evict's argument, reused
	at     []uint64      // the slot of each sampled entry
	_      [64]byte      // keep the next shard's readers' line apart
}

// find returns the entry of key, which hashes to h, in t, or nil.
func (m *Map[K, V]) find(t *table[K, V], h uint64, key K) *entry[K, V] {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i].Load()
		if e == nil {
			return nil
		}
		if e.hash == h && e != m.tomb && e.key == key {
			return e
		}
	}
}

// insert is LoadOrNew's path for a key not found in s.
func (m *Map[K, V]) insert(s *shard[K, V], h uint64, key K) (V, error) {
	var zero V
	if m.cfg.Evict == nil && m.size.Load() >= int64(m.cfg.Max) {
		return zero, ErrFull // full for good: no need to wait for the lock
	}
	s.mu.Lock()
	locked := true
	defer func() {
		if locked {
			s.mu.Unlock()
		}
	}()
	// Reserve a place in the map, evicting to make one if need be: from s
	// while it holds its share, else from the fullest shard, which brings
	// the shards back to their shares. When Evict evicts nothing, the key
	// goes in beyond Max.
	stuck := m.cfg.Evict == nil
	for {
		if e := m.find(s.table.Load(), h, key); e != nil {
			return e.val, nil // inserted while we waited for a lock
		}
		if m.reserve() {
			break
		}
		if stuck {
			if m.cfg.Evict == nil {
				return zero, ErrFull
			}
			m.size.Add(1)
			break
		}
		v := m.victim(s)
		if v == s {
			stuck = m.evict(s) == 0
			continue
		}
		s.mu.Unlock()
		locked = false
		stuck = m.evictIn(v) == 0
		s.mu.Lock()
		locked = true
	}
	v, err := m.cfg.New(key)
	if err != nil {
		m.size.Add(-1)
		return zero, err
	}
	m.put(s, &entry[K, V]{hash: h, key: key, val: v})
	return v, nil
}

// reserve counts one more key in the map, unless it is full.
func (m *Map[K, V]) reserve() bool {
	for {
		n := m.size.Load()
		if n >= int64(m.cfg.Max) {
			return false
		}
		if m.size.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// victim returns the shard to evict from for an insert into s: s while it
// holds its share of the keys, else the fullest shard. Requires s.mu held.
func (m *Map[K, V]) victim(s *shard[K, V]) *shard[K, V] {
	if s.live >= s.share || len(m.shards) == 1 {
		return s
	}
	v, most := s, int64(s.live)
	for i := range m.shards {
		if n := m.shards[i].size.Load(); n > most {
			v, most = &m.shards[i], n
		}
	}
	return v
}

// evictIn is evict with v's lock taken and released.
func (m *Map[K, V]) evictIn(v *shard[K, V]) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return m.evict(v)
}

// put adds e, whose key is not in s. Requires s.mu held.
func (m *Map[K, V]) put(s *shard[K, V], e *entry[K, V]) {
	t := s.table.Load()
	if (s.used+1)*4 > len(t.slots)*3 {
		t = m.rebuild(s, t)
	}
	// The key is not there: the first free slot, tombstone or nil, is
	// its place.
	i := e.hash & t.mask
	for {
		x := t.slots[i].Load()
		if x == nil {
			s.used++
			break
		}
		if x == m.tomb {
			break
		}
		i = (i + 1) & t.mask
	}
	t.slots[i].Store(e)
	s.live++
	s.size.Store(int64(s.live))
}

// rebuild publishes a new table for s with its keys and no tombstones,
// sized so that at least a quarter of it fills before the next rebuild:
// O(1) amortised per insert. Requires s.mu held.
func (m *Map[K, V]) rebuild(s *shard[K, V], old *table[K, V]) *table[K, V] {
	n := minSlots
	for n < (s.live+1)*2 {
		n *= 2
	}
	t := newTable[K, V](n)
	for i := range old.slots {
		e := old.slots[i].Load()
		if e == nil || e == m.tomb {
			continue
		}
		j := e.hash & t.mask
		for t.slots[j].Load() != nil {
			j = (j + 1) & t.mask
		}
		t.slots[j].Store(e)
	}
	s.used = s.live
	s.hand &= t.mask
	s.table.Store(t)
	return t
}

// evict shows Config.Evict the next sampleSize entries from the hand, removes
// those it marks, calls OnEvict for them, and returns how many they were.
// Requires s.mu held.
func (m *Map[K, V]) evict(s *shard[K, V]) int {
	t := s.table.Load()
	sample, at := s.sample[:0], s.at[:0]
	i := s.hand
	for range t.slots {
		if len(sample) == cap(sample) {
			break
		}
		if e := t.slots[i].Load(); e != nil && e != m.tomb {
			sample = append(sample, Entry[K, V]{Key: e.key, Value: e.val})
			at = append(at, i)
		}
		i = (i + 1) & t.mask
	}
	s.hand = i
	if len(sample) == 0 {
		return 0
	}
	m.cfg.Evict(sample)
	n := 0
	for j := range sample {
		if sample[j].Evict {
			t.slots[at[j]].Store(m.tomb)
			n++
		}
	}
	s.live -= n
	s.size.Store(int64(s.live))
	m.size.Add(-int64(n))
	for j := range sample {
		if sample[j].Evict && m.cfg.OnEvict != nil {
			m.cfg.OnEvict(sample[j].Key, sample[j].Value)
		}
		sample[j] = Entry[K, V]{} // hold no evicted value
	}
	return n
}
