package lclock

import (
	"math"
	"sync/atomic"
)

// DefaultMaxJump is the forward jump a [Lamport] clock accepts from one
// received stamp when [LamportConfig.MaxJump] is zero: 2⁴⁰, about 10¹².
// A fleet whose clocks advance by a million events a second takes twelve
// days to get that far ahead of a freshly started process; a peer that
// sends the largest Stamp is refused at once, and one that keeps pushing
// needs 2²⁴ messages to walk the clock to its end.
const DefaultMaxJump = 1 << 40

// LamportConfig configures a [Lamport] clock; [NewLamport] builds one. The
// zero LamportConfig is the recommended default.
type LamportConfig struct {
	// MaxJump is the most a received stamp may be ahead of this clock's
	// current value and still be adopted; one further ahead is rejected
	// (Witness returns [ErrAhead] and counts it). Zero means
	// [DefaultMaxJump]; math.MaxUint64 turns the bound off (the clock still
	// saturates at the largest Stamp instead of wrapping).
	MaxJump uint64
}

// Lamport is a Lamport clock (Lamport, 1978): a counter that every event
// increments and every received stamp pushes past. If event e happened
// before event f (e came first in one process, or e sent a message whose
// receipt preceded f, or a chain of those), then stamp(e) < stamp(f).
//
// The zero Lamport is ready to use with the default [LamportConfig]. A
// Lamport is safe for concurrent use and lock-free: each method is one
// atomic load, or a CompareAndSwap loop on one word; none allocates. It
// must not be copied after first use.
//
// A received stamp more than MaxJump ahead is refused, so a buggy or
// hostile peer cannot push the counter to its end in one message; at the
// largest Stamp the clock stops rather than wrap (see [Stats.Overflowed]).
type Lamport struct {
	t          atomic.Uint64
	rejected   atomic.Uint64
	overflowed atomic.Uint64
	maxJump    uint64 // 0 means DefaultMaxJump
}

// NewLamport returns a Lamport clock configured by c, starting at zero.
// No LamportConfig is invalid today; the error is kept so that fields
// added later can be checked.
func NewLamport(c LamportConfig) (*Lamport, error) {
	return &Lamport{maxJump: c.MaxJump}, nil
}

// Tick records a local or send event and returns its stamp.
func (l *Lamport) Tick() Stamp {
	for {
		old := l.t.Load()
		if old == math.MaxUint64 {
			l.overflowed.Add(1)
			return Stamp(old)
		}
		if l.t.CompareAndSwap(old, old+1) {
			return Stamp(old + 1)
		}
	}
}

// Witness records the receipt of a message stamped s and returns the
// receive event's stamp: max(current, s) + 1. When s is more than MaxJump
// ahead of the current value it is not adopted: the receipt is recorded
// as a local event (as Tick) and the error is [ErrAhead].
func (l *Lamport) Witness(s Stamp) (Stamp, error) {
	jump := l.maxJump
	if jump == 0 {
		jump = DefaultMaxJump
	}
	m := uint64(s)
	for {
		old := l.t.Load()
		if m > old && m-old > jump {
			l.rejected.Add(1)
			return l.Tick(), ErrAhead
		}
		next := inc(max(old, m))
		if next == old {
			l.overflowed.Add(1)
			return Stamp(old), nil
		}
		if l.t.CompareAndSwap(old, next) {
			if next == m { // m was the largest Stamp: no room after it
				l.overflowed.Add(1)
			}
			return Stamp(next), nil
		}
	}
}

// Now returns the last stamp the clock returned, without recording an
// event.
func (l *Lamport) Now() Stamp { return Stamp(l.t.Load()) }

// Stats returns the clock's counters.
func (l *Lamport) Stats() Stats {
	return Stats{Rejected: l.rejected.Load(), Overflowed: l.overflowed.Load()}
}

// AppendStamp appends the decimal text form of s to b ([AppendLamport]).
func (*Lamport) AppendStamp(b []byte, s Stamp) []byte { return AppendLamport(b, s) }

// ParseStamp parses a decimal Lamport stamp ([ParseLamport]).
func (*Lamport) ParseStamp(text string) (Stamp, error) { return ParseLamport(text) }
