package breaker

import (
	"math"
	"runtime"
	"sync/atomic"
)

// Bucket epochs that are never inside a window: epochs are >= 0 and a
// window is (cur-n, cur] with n <= maxBuckets.
const (
	epochEmpty    = math.MinInt64     // emptied by reset (a new window's buckets hold epoch 0 and no counts)
	epochRotating = math.MinInt64 + 1 // being zeroed by the goroutine that claimed it
)

// bucket holds the counts of one stripe for one bucket period. Its epoch
// says which period: a bucket whose epoch is not in the window is ignored
// by readers and recycled by the next writer of a later period.
type bucket struct {
	epoch    atomic.Int64
	calls    atomic.Uint64
	failures atomic.Uint64
	slow     atomic.Uint64
}

// stripePad is the number of unused buckets (of 32 bytes) after each
// stripe's ring, so that two stripes never share a cache line, nor an
// adjacent-line prefetch pair (128 bytes).
const stripePad = 4

// timeWindow counts calls in n buckets per stripe. A call is added to a
// random stripe's bucket for the current coarse epoch, so cores rarely
// write the same cache line; readers sum every stripe's in-window buckets.
// A breaker starts with a window of one stripe and adds a striped one when
// calls come often (see [Breaker.grow]); it sums both.
//
// The rotation protocol: a writer that finds its bucket holding an older
// epoch claims it by CAS to epochRotating, zeroes the counts, then
// publishes the new epoch. Writers that see epochRotating retry a few
// times and then drop their count; readers skip such a bucket. So a reader
// never sees a previous period's counts under the current epoch. What is
// not exact: an add that loaded the epoch just before a concurrent claim
// lands in (and is zeroed with) the recycled bucket, so a count can be
// lost at the moment a bucket rotates.
//
// A new window's buckets are all zero: epoch 0 with no counts, which sums
// to nothing whether or not epoch 0 is in the window, so that making one
// is one allocation and no stores.
type timeWindow struct {
	n       int64  // buckets per stripe
	stride  uint32 // n, plus stripePad when striped
	mask    uint32 // stripes - 1: a power of two minus one
	buckets []bucket
}

func newTimeWindow(stripes, n int) *timeWindow {
	w := new(timeWindow)
	w.init(stripes, n)
	return w
}

// init makes w a new window of n buckets per stripe.
func (w *timeWindow) init(stripes, n int) {
	*w = timeWindow{n: int64(n), stride: uint32(n), mask: uint32(stripes - 1)}
	if stripes > 1 {
		w.stride += stripePad
	}
	w.buckets = make([]bucket, stripes*int(w.stride))
}

// growAt is the count of one bucket of a breaker's first, one-stripe
// window at which it grows a striped one: 64 calls in a bucket (640 a
// second with the default buckets of 100ms) is when cores begin to meet
// on one counter, and a breaker seeing fewer never pays for stripes.
const growAt = 64

// add records one call (with failure and slow flags) in bk, the bucket of
// a stripe for epoch e: index stripe·stride + e%n. A call dated before the
// bucket's current epoch (an epoch older than the whole window, read
// before a concurrent refresh) is dropped. It returns the bucket's call
// count after the add, 0 if the call was dropped.
func (w *timeWindow) add(bk *bucket, e int64, failure, slow bool) uint64 {
	for range 8 {
		be := bk.epoch.Load()
		switch {
		case be == e:
			n := bk.calls.Add(1)
			if failure {
				bk.failures.Add(1)
			}
			if slow {
				bk.slow.Add(1)
			}
			return n
		case be == epochRotating:
			runtime.Gosched()
		case be > e:
			return 0
		default:
			if bk.epoch.CompareAndSwap(be, epochRotating) {
				bk.calls.Store(0)
				bk.failures.Store(0)
				bk.slow.Store(0)
				bk.epoch.Store(e)
			}
		}
	}
	return 0
}

// sum returns the counts of the buckets in (cur-n, cur] over all stripes.
func (w *timeWindow) sum(cur int64) (calls, failures, slow uint64) {
	lo := cur - w.n
	for i := range w.buckets {
		bk := &w.buckets[i]
		be := bk.epoch.Load()
		if be <= lo || be > cur {
			continue
		}
		c, f, s := bk.calls.Load(), bk.failures.Load(), bk.slow.Load()
		if bk.epoch.Load() != be {
			continue // recycled while we read it
		}
		calls += c
		failures += f
		slow += s
	}
	return calls, failures, slow
}

// reset empties every bucket. Adds racing with it may survive in a bucket
// marked empty, which no reader counts and the next writer recycles.
func (w *timeWindow) reset() {
	for i := range w.buckets {
		bk := &w.buckets[i]
		for {
			be := bk.epoch.Load()
			if be == epochEmpty {
				break
			}
			if be == epochRotating {
				runtime.Gosched()
				continue
			}
			if bk.epoch.CompareAndSwap(be, epochRotating) {
				bk.calls.Store(0)
				bk.failures.Store(0)
				bk.slow.Store(0)
				bk.epoch.Store(epochEmpty)
				break
			}
		}
	}
}

// Slots of a count window's ring.
const (
	slotEmpty   uint32 = 0
	slotCall    uint32 = 1 // set in every recorded slot
	slotFailure uint32 = 2
	slotSlow    uint32 = 4
)

// countWindow holds the outcomes of the last n calls in a ring, with
// running totals kept up to date by the difference between the outcome a
// slot receives and the one it loses. Each update is a cursor increment
// and a swap, plus a total update only when the outcome changes the
// totals, so a steady stream of successes writes no total. The cursor is
// one shared word: this window scales less with cores than timeWindow.
type countWindow struct {
	cursor atomic.Uint64
	_      [120]byte
	calls  atomic.Int64
	fails  atomic.Int64
	slow   atomic.Int64
	_      [104]byte
	ring   []atomic.Uint32
}

func newCountWindow(n int) *countWindow {
	return &countWindow{ring: make([]atomic.Uint32, n)}
}

func (w *countWindow) add(failure, slow bool) {
	v := slotCall
	if failure {
		v |= slotFailure
	}
	if slow {
		v |= slotSlow
	}
	i := (w.cursor.Add(1) - 1) % uint64(len(w.ring))
	w.account(w.ring[i].Swap(v), v)
}

// account moves the totals from a slot's old value to its new one.
func (w *countWindow) account(old, v uint32) {
	if old == v {
		return
	}
	if d := int64(v&slotCall) - int64(old&slotCall); d != 0 {
		w.calls.Add(d)
	}
	if d := int64(v&slotFailure>>1) - int64(old&slotFailure>>1); d != 0 {
		w.fails.Add(d)
	}
	if d := int64(v&slotSlow>>2) - int64(old&slotSlow>>2); d != 0 {
		w.slow.Add(d)
	}
}

func (w *countWindow) sum() (calls, failures, slow uint64) {
	// The totals are exact once concurrent adds have finished; in the
	// middle of one, a total may be off by one (never negative).
	return uint64(max(w.calls.Load(), 0)), uint64(max(w.fails.Load(), 0)), uint64(max(w.slow.Load(), 0))
}

func (w *countWindow) reset() {
	for i := range w.ring {
		w.account(w.ring[i].Swap(slotEmpty), slotEmpty)
	}
}
