package breaker

import (
	"sync"
	"sync/atomic"
	"time"
)

// cold is the part of a [Breaker] that only a breaker that has left the
// closed state, rejected a call or held a waiter needs: its transitions'
// lock and timer, the open and half-open states' counters, the rejection
// error and counters, and the waiters. A breaker makes it on its first
// transition (Isolate, Disable and Reset included), rejection or wait, so
// that a key that is only ever closed, which is most keys of a Group
// meeting new hosts all the time, pays neither its memory nor its
// zeroing.
//
// Once made it is never replaced: whoever loads it may keep the pointer.
type cold struct {
	// rejected counts rejections, striped; made by the first one.
	rejected atomic.Pointer[[]paddedCounter]

	// Written while half-open only. Each packs uint32(gen)<<32 | count, so
	// that a count belongs to one generation and a new half-open state
	// starts from zero.
	probeSlots atomic.Uint64 // probes in flight
	hoSuccess  atomic.Uint64 // successful probes

	// Written on transitions (before the state word publishes them), read
	// by rejections and snapshots.
	openUntil atomic.Int64 // nanoseconds since base
	breakLen  atomic.Int64 // nanoseconds: the length of the latest break
	downSince atomic.Int64 // nanoseconds since base: the first trip of this run
	rejectErr atomic.Pointer[OpenError]
	trips     atomic.Uint64

	// changed, when set, is closed (and cleared) by the next transition,
	// to wake the calls waiting in Wait; the first waiter makes it.
	changed atomic.Pointer[chan struct{}]
	waiters atomic.Int64              // calls in Wait now
	wq      atomic.Pointer[waitQueue] // made by the first waiter

	mu    sync.Mutex  // serialises transitions; never held while calling out
	timer *time.Timer // the open state's timer; requires mu
	run   int         // trips since the last close; requires mu
}

// c returns b's cold part, making it if b has none yet. Every path but a
// closed breaker's calls goes through it (or through coldOrNil).
func (b *Breaker) c() *cold {
	if c := b.cold.Load(); c != nil {
		return c
	}
	b.cold.CompareAndSwap(nil, new(cold))
	return b.cold.Load()
}

// coldOrNil returns b's cold part, or nil if it has none: the breaker
// has made no transition, rejected no call and held no waiter, so every
// count of it is zero. Snapshots read it, so that looking at a breaker
// does not make it grow.
func (b *Breaker) coldOrNil() *cold { return b.cold.Load() }
