package breaker

// The coarse clock.
//
// A clock read costs tens of nanoseconds (time.Since is ~25ns on some
// virtual machines), more than the rest of the success path together, so
// the success path does not read the clock on every call. The breaker
// keeps a coarse epoch instead, the current bucket index (nanoseconds
// since New divided by the bucket length), in an atomic; a success is
// dated with it. The epoch is refreshed by a real clock read (and advanced
// with CAS only if larger) on every failure, on every call when slow-call
// tracking is on, on State and Snapshot, on Allow while open or half-open,
// and by a success with probability 1/K.
//
// K adapts between 1 and 64 (kmask = K-1): a success's refresh that finds
// the epoch unchanged doubles it (calls are frequent: read less often),
// and any refresh that finds the epoch advanced by more than one bucket
// drops it to 1 (calls are rare, or stopped for a while: read every
// time). So under a high call rate the clock is read on about 1/64 of the
// successes, and under a low rate on each of them. K is one word for the
// whole breaker, written only when it changes, so cores only read it.

// maxKMask is K-1 for the largest K, 64.
const maxKMask = 63

// The coarse epoch word packs the epoch e with its bucket index in the
// ring, e%Buckets, so that the success path needs no division:
// e<<idxBits | e%nb. Packed words compare like their epochs.
const idxBits = 10 // > log2(maxBuckets)

func (b *Breaker) packEpoch(e int64) int64 { return e<<idxBits | e%b.set.nb }

// refresh advances the coarse epoch to the one of now (nanoseconds since
// base), adapts K, and returns the packed epoch to date an event at now
// with. fromCall says the refresh comes from a call (for Group's idle
// tracking), fromSuccess that it is a success's 1-in-K refresh (which may
// double K).
func (b *Breaker) refresh(now int64, fromCall, fromSuccess bool) int64 {
	e := now / b.set.tick
	v := b.packEpoch(e)
	old := b.epoch.Load()
	for v > old && !b.epoch.CompareAndSwap(old, v) {
		old = b.epoch.Load()
	}
	switch oe := old >> idxBits; {
	case e > oe+1:
		if b.kmask.Load() != 0 {
			b.kmask.Store(0)
		}
	case e == oe && fromSuccess:
		if m := b.kmask.Load(); m < maxKMask {
			b.kmask.Store(m<<1 | 1)
		}
	}
	if fromCall && b.lastUsed.Load() < e {
		b.lastUsed.Store(e)
	}
	return max(v, old)
}
