package limiter

import (
	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/internal/keymap"
)

// Keys' age. r.epoch grows by two with each insertion: a key's seen is
// the epoch when it was last used, or, until it is used, the epoch of its
// insertion minus one. So seen orders the keys by their last use (or
// insertion) with insertions as the clock: a key used after an insertion
// is newer than the inserted key, which is newer than a key used only
// before.

// newKeys returns the key map of a Rate.
func (r *Rate) newKeys() *keymap.Map[string, *rateKey] {
	return keymap.New(keymap.Config[string, *rateKey]{
		Max:     r.maxKeys,
		New:     r.newKey,
		Evict:   evictLRU,
		OnEvict: r.retire,
	})
}

// get returns the state of key, creating it on first use. For a known key
// it is a hash and a lock-free table probe, an atomic load of the epoch,
// plus a store when the key was not used since the latest insertion.
func (r *Rate) get(key string) *rateKey {
	if k, ok := r.keys.Load(key); ok {
		if e := r.epoch.Load(); k.seen.Load() != e {
			k.seen.Store(e)
		}
		return k
	}
	k, _ := r.keys.LoadOrNew(key) // cannot fail: newKey does not, and Evict is set
	return k
}

// newKey is the key map's New: it runs under the key's shard lock.
func (r *Rate) newKey(key string) (*rateKey, error) {
	k := &rateKey{err: &limitedError{reason: reasonRate, key: key, limit: r.limit, burst: r.burst}}
	if r.limit != rate.Inf {
		k.lim = rate.NewLimiter(r.limit, r.burst)
	}
	k.seen.Store(r.epoch.Add(2) - 1)
	return k, nil
}

// retire is the key map's OnEvict: it keeps the counts of the evicted key.
func (r *Rate) retire(_ string, k *rateKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retired.add(k)
	r.evictions++
}

// evictLRU marks the key of sample to evict: the one used the longest ago
// (in insertions), an unpaused one first among equals, then the smallest
// key.
func evictLRU(sample []keymap.Entry[string, *rateKey]) {
	best := -1
	var bestSeen uint64
	bestPaused := false
	for i := range sample {
		k, v := sample[i].Key, sample[i].Value
		seen, paused := v.seen.Load(), v.paused.Load() != 0
		switch {
		case best < 0, seen < bestSeen,
			seen == bestSeen && bestPaused && !paused,
			seen == bestSeen && paused == bestPaused && k < sample[best].Key:
			best, bestSeen, bestPaused = i, seen, paused
		}
	}
	if best >= 0 {
		sample[best].Evict = true
	}
}
