// Package keymap is the bounded concurrent map behind every per-key state
// of the toolkit: breaker.Group's breakers, limiter.Rate's keys, the limit
// stage's hosts, promx's host series, twirpx's method table and fleet's
// keys. They share one need: a lookup of a known key on every call, which
// must be as cheap as a map read, and a new key now and then, which must not
// cost more as keys come and go, even when a caller (a webhook sender, a
// crawler) meets a new host on nearly every call.
//
// # Design
//
// A [Map] is split into shards by the key's hash (one shard up to 127 keys,
// so that small maps evict exactly; up to 32 for large ones), each with its
// own lock, so that new keys go in on several cores at once. The bound is
// the map's: an insert reserves its place in an atomic count of the keys,
// and when the map is full, evicts in its own shard while that holds its
// share of the keys, else in the fullest shard, which keeps the shards
// even. Each shard is an open-addressing hash table of atomic pointers to
// immutable entries:
//
//   - A lookup hashes the key, loads the shard's table and probes it: no
//     lock, no allocation, no write, so cores looking up together do not
//     contend. It costs a Go map read and one more pointer hop (about 1.5
//     ns more for a hot key, 5 ns more cycling through 1,000 keys on a
//     2-core VM; BenchmarkLoad and BenchmarkCopyOnWriteLoad).
//   - An insert takes its shard's mutex and stores one pointer: O(1), where
//     a copy-on-write map copies every key. A removed entry leaves a
//     tombstone; the table is rebuilt when tombstones and keys fill three
//     quarters of it, which is O(1) amortised. Readers that loaded the old
//     table finish on it, unchanged.
//   - Eviction samples. When a new key finds the map full, the shard to
//     evict in shows [Config.Evict] its next 5 entries after a hand that
//     sweeps its table: in hash order, a pseudo-random sample. Evict marks
//     those to remove (the idle ones, the least recently used one). This
//     is Redis's approximated LRU: O(1) per insert whatever the number of
//     keys, and exact while the map holds no more keys than the sample.
//
// Why not the alternatives: a copy-on-write map (what each user had) makes
// an insert O(keys) under one mutex; sync.Map reads cost about twice a map
// read, need interface conversions, and leave eviction to a second
// structure; a read-write mutex makes every reader write a shared counter.
// Recency stays with the caller, who already tracks it in the value (a
// breaker's last call, a rate key's epoch), so a lookup writes nothing.
package keymap
