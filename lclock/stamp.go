package lclock

import (
	"math"
	"time"
)

// Stamp is a logical time: the value of a [Lamport] counter, or an [HLC]
// time packed into 64 bits. Stamps of one kind compare with < : if event e
// happened before event f, stamp(e) < stamp(f). Stamps of different kinds
// do not compare; a fleet uses one kind.
//
// An HLC stamp holds wall-clock milliseconds since the Unix epoch in its
// high 48 bits (enough until the year 10889) and a logical counter in its
// low 16 bits, so that comparing two stamps as integers compares (wall,
// logical) pairs, as in Kulkarni et al.'s hybrid logical clocks. [Stamp.Wall]
// and [Stamp.Logical] read the two parts of an HLC stamp; they mean nothing
// for a Lamport stamp.
type Stamp uint64

// Layout of an HLC stamp.
const (
	logicalBits = 16
	logicalMask = 1<<logicalBits - 1

	// MaxHLCMillis is the largest wall time, in milliseconds since the Unix
	// epoch, that an HLC stamp holds (48 bits: the year 10889). A wall
	// clock beyond it is read as MaxHLCMillis, one before 1970 as 0.
	MaxHLCMillis = 1<<(64-logicalBits) - 1
)

// HLCStamp returns the HLC stamp of wall time wall (truncated to the
// millisecond and clamped to [0, MaxHLCMillis]) with logical counter
// logical.
func HLCStamp(wall time.Time, logical uint16) Stamp {
	return Stamp(clampMillis(wall.UnixMilli())<<logicalBits | uint64(logical))
}

// Wall returns the wall-clock part of an HLC stamp, in UTC, with
// millisecond precision.
func (s Stamp) Wall() time.Time {
	return time.UnixMilli(int64(s >> logicalBits)).UTC()
}

// Millis returns the wall-clock part of an HLC stamp, in milliseconds since
// the Unix epoch.
func (s Stamp) Millis() int64 { return int64(s >> logicalBits) }

// Logical returns the logical counter of an HLC stamp: how many events this
// clock (or one it heard from) recorded within the same wall millisecond.
func (s Stamp) Logical() uint16 { return uint16(s & logicalMask) }

// clampMillis maps a wall time in milliseconds to the range an HLC stamp
// holds.
func clampMillis(ms int64) uint64 {
	switch {
	case ms < 0:
		return 0
	case ms > MaxHLCMillis:
		return MaxHLCMillis
	}
	return uint64(ms)
}

// inc returns x+1, or x when x is the largest stamp: a clock saturates
// instead of wrapping to zero, which would order later events first.
func inc(x uint64) uint64 {
	if x == math.MaxUint64 {
		return x
	}
	return x + 1
}
