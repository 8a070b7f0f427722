package limiter

import (
	"golang.org/x/time/rate"
)

// keySet is an immutable snapshot of a Rate's keys. epoch grows by two
// with each insertion: a key's seen is the epoch of the snapshot through
// which it was last used, or, until it is used, the new snapshot's epoch
// minus one. So seen orders the keys by their last use (or insertion)
// with insertions as the clock: a key used after an insertion is newer
// than the inserted key, which is newer than a key used only before.
type keySet struct {
	m     map[string]*rateKey
	epoch uint64
}

// get returns the state of key, creating it on first use. For a known key
// it is a pointer load and a map lookup, plus a store when the key was not
// used since the latest insertion.
func (r *Rate) get(key string) *rateKey {
	ks := r.keys.Load()
	if k := ks.m[key]; k != nil {
		if k.seen.Load() != ks.epoch {
			k.seen.Store(ks.epoch)
		}
		return k
	}
	return r.insert(key)
}

// insert is get's path for a key not found: it publishes a new snapshot
// with the key, evicting the least recently used key if the set is full.
func (r *Rate) insert(key string) *rateKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.keys.Load()
	if k := old.m[key]; k != nil {
		return k // inserted while we waited for the lock
	}
	k := &rateKey{err: &limitedError{reason: reasonRate, key: key, limit: r.limit, burst: r.burst}}
	if r.limit != rate.Inf {
		k.lim = rate.NewLimiter(r.limit, r.burst)
	}
	next := &keySet{m: make(map[string]*rateKey, min(len(old.m)+1, r.maxKeys)), epoch: old.epoch + 2}
	full, victim := len(old.m) >= r.maxKeys, ""
	if full {
		victim = lru(old.m)
		r.retired.add(old.m[victim])
		r.evictions++
	}
	for kk, v := range old.m {
		if !full || kk != victim {
			next.m[kk] = v
		}
	}
	k.seen.Store(next.epoch - 1)
	next.m[key] = k
	r.keys.Store(next)
	return k
}

// lru returns the key of m to evict: the one used the longest ago (in
// insertions), an unpaused one first among equals, then the smallest key.
func lru(m map[string]*rateKey) string {
	var best string
	var bestSeen uint64
	bestPaused, found := false, false
	for k, v := range m {
		seen, paused := v.seen.Load(), v.paused.Load() != 0
		switch {
		case !found, seen < bestSeen,
			seen == bestSeen && bestPaused && !paused,
			seen == bestSeen && paused == bestPaused && k < best:
			best, bestSeen, bestPaused, found = k, seen, paused, true
		}
	}
	return best
}
