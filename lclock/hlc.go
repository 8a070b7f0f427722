package lclock

import (
	"sync/atomic"
	"time"
)

// DefaultMaxOffset is the [Config.MaxOffset] that zero stands for: 500ms,
// CockroachDB's default --max-offset, an upper bound on clock skew that
// NTP-synchronised machines keep with a wide margin.
const DefaultMaxOffset = 500 * time.Millisecond

// maxMaxOffset bounds Config.MaxOffset so that wall+offset stays far from
// overflow: 2⁴⁰ ms, about 35 years, well beyond any meaningful bound.
const maxMaxOffset = (1 << 40) * time.Millisecond

// Config configures an [HLC]; [NewHLC] builds one. The zero Config is the
// recommended default: the system clock and a 500ms maximum offset.
type Config struct {
	// MaxOffset is the furthest a received stamp's wall part may be ahead
	// of this clock's wall clock and still be adopted; one further ahead is
	// rejected (Witness returns [ErrAhead] and counts it), so that a peer
	// with a wild clock, or a hostile one sending the largest stamp, cannot
	// drag this clock away from wall time. Set it to the largest skew you
	// expect between healthy machines, with a margin. Zero means
	// [DefaultMaxOffset]. It must be at least 1ms (stamps have millisecond
	// resolution) and at most 2⁴⁰ms; negative is an error.
	MaxOffset time.Duration

	// WallClock returns the wall time. Nil means time.Now. Tests inject a
	// skewed or frozen clock here.
	WallClock func() time.Time
}

// DefaultConfig returns the configuration that the zero [Config] stands for:
// a 500ms maximum offset and the system clock.
func DefaultConfig() Config {
	return Config{MaxOffset: DefaultMaxOffset, WallClock: time.Now}
}

// HLC is a hybrid logical clock (Kulkarni, Demirbas et al., "Logical
// Physical Clocks", 2014), as CockroachDB uses: a stamp is a pair (l, c) of
// the largest wall time heard of, in milliseconds, and a logical counter
// that orders events within the same l. Like a Lamport clock, if event e
// happened before event f then stamp(e) < stamp(f); unlike one, l stays
// close to wall time: never behind this machine's wall clock, and ahead of
// it by no more than the skew of the fastest clock it heard from
// (bounded by MaxOffset).
//
// The pair is packed in one 64-bit word (see [Stamp]): 48 bits of
// milliseconds, 16 of counter. Each method reads the wall clock at most
// once and updates the word with a CompareAndSwap loop, so an HLC is safe
// for concurrent use, lock-free, and allocates nothing. The zero HLC is
// ready to use with the zero [Config]. It must not be copied after first
// use.
//
// Overflow: when more than 65535 events fall in one wall millisecond, the
// counter carries into the wall part (the word is simply incremented), so
// stamps stay ordered and the clock runs ahead of wall time by a
// millisecond per 65536 extra events, until wall time catches up; each
// carry is counted in [Stats.Overflowed].
type HLC struct {
	t          atomic.Uint64
	rejected   atomic.Uint64
	overflowed atomic.Uint64
	wall       func() time.Time // nil means time.Now
	maxOffset  uint64           // in ms; 0 means DefaultMaxOffset
}

// NewHLC returns an HLC configured by c, or an error wrapping
// [ErrInvalidConfig].
func NewHLC(c Config) (*HLC, error) {
	switch {
	case c.MaxOffset < 0:
		return nil, invalid("MaxOffset %v is negative", c.MaxOffset)
	case c.MaxOffset > 0 && c.MaxOffset < time.Millisecond:
		return nil, invalid("MaxOffset %v is below the stamps' resolution of 1ms", c.MaxOffset)
	case c.MaxOffset > maxMaxOffset:
		return nil, invalid("MaxOffset %v is above 2^40ms", c.MaxOffset)
	}
	return &HLC{wall: c.WallClock, maxOffset: uint64(c.MaxOffset / time.Millisecond)}, nil
}

// wallMillis reads the wall clock, in the range a stamp holds.
func (h *HLC) wallMillis() uint64 {
	var now time.Time
	if h.wall != nil {
		now = h.wall()
	} else {
		now = time.Now()
	}
	return clampMillis(now.UnixMilli())
}

// Tick records a local or send event and returns its stamp: (wall, 0) when
// the wall clock is ahead of the last stamp, else the last stamp with its
// counter incremented.
func (h *HLC) Tick() Stamp {
	return h.tick(h.wallMillis() << logicalBits)
}

// tick is Tick with the wall clock already read (pt is a stamp with a zero
// counter).
func (h *HLC) tick(pt uint64) Stamp {
	for {
		old := h.t.Load()
		next := max(inc(old), pt)
		if h.t.CompareAndSwap(old, next) {
			h.countOverflow(old, next, pt)
			return Stamp(next)
		}
	}
}

// Witness records the receipt of a message stamped s and returns the
// receive event's stamp: the largest of the last stamp, s and the wall
// clock, with the counter set as Kulkarni et al. prescribe (one past the
// largest counter among those sharing the largest wall part, or zero when
// the wall clock alone is largest). When the wall part of s is more than
// MaxOffset ahead of this clock's wall clock, s is not adopted: the
// receipt is recorded as a local event (as Tick) and the error is
// [ErrAhead].
func (h *HLC) Witness(s Stamp) (Stamp, error) {
	wall := h.wallMillis()
	pt := wall << logicalBits
	off := h.maxOffset
	if off == 0 {
		off = uint64(DefaultMaxOffset / time.Millisecond)
	}
	if uint64(s>>logicalBits) > wall+off {
		h.rejected.Add(1)
		return h.tick(pt), ErrAhead
	}
	m := uint64(s)
	for {
		old := h.t.Load()
		// max(old+1, m+1, pt) is exactly the paper's rule on packed pairs:
		// the largest wall part wins, and within it the largest counter
		// plus one; pt (counter zero) wins only when strictly ahead.
		next := max(inc(max(old, m)), pt)
		if h.t.CompareAndSwap(old, next) {
			h.countOverflow(max(old, m), next, pt)
			return Stamp(next), nil
		}
	}
}

// countOverflow counts an event whose stamp next was formed by
// incrementing prev across a counter carry (rather than taken from the
// wall clock pt), or could not be incremented at all.
func (h *HLC) countOverflow(prev, next, pt uint64) {
	if next > pt && prev&logicalMask == logicalMask && next == inc(prev) {
		h.overflowed.Add(1)
	}
}

// Now returns the last stamp the clock returned, without recording an
// event or reading the wall clock.
func (h *HLC) Now() Stamp { return Stamp(h.t.Load()) }

// Stats returns the clock's counters.
func (h *HLC) Stats() Stats {
	return Stats{Rejected: h.rejected.Load(), Overflowed: h.overflowed.Load()}
}

// AppendStamp appends the text form of s to b ([AppendHLC]).
func (*HLC) AppendStamp(b []byte, s Stamp) []byte { return AppendHLC(b, s) }

// ParseStamp parses the text form of an HLC stamp ([ParseHLC]).
func (*HLC) ParseStamp(text string) (Stamp, error) { return ParseHLC(text) }
