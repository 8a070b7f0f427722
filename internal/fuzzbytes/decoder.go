package fuzzbytes

import (
	"encoding/binary"
	"math"
	"time"
)

// Decoder reads values from a byte stream; see the package documentation.
// Its tables are the interesting values of its caller's fields.
type Decoder struct {
	b         []byte
	ints      []int
	durations []time.Duration
	floats    []float64
}

// New returns a Decoder over b with the given tables of interesting
// values (each table's length times two must stay under 224).
func New(b []byte, ints []int, durations []time.Duration, floats []float64) *Decoder {
	return &Decoder{b: b, ints: ints, durations: durations, floats: floats}
}

// smallFrom is the first selector of the raw values: selectors from
// 2·len(table) up to it are small values.
const smallFrom = 224

// Byte returns the next byte, or 0 when the stream is exhausted.
func (d *Decoder) Byte() byte {
	if len(d.b) == 0 {
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// U64 returns the next 8 bytes, little endian (zeros past the end).
func (d *Decoder) U64() uint64 {
	var buf [8]byte
	n := copy(buf[:], d.b)
	d.b = d.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// Bool turns an optional stage or knob on: an odd byte.
func (d *Decoder) Bool() bool { return d.Byte()&1 == 1 }

// Off reads a Disable… field: true only for 255, so that a seed of odd
// bytes turns every stage on.
func (d *Decoder) Off() bool { return d.Byte() == 255 }

// Int returns a table value, a small count, or a raw int.
func (d *Decoder) Int() int {
	s := int(d.Byte())
	switch {
	case s < 2*len(d.ints):
		return d.ints[s/2]
	case s < smallFrom:
		return s - 2*len(d.ints)
	default:
		return int(d.U64())
	}
}

// Duration returns a table value, a few milliseconds, or a raw duration.
func (d *Decoder) Duration() time.Duration {
	s := int(d.Byte())
	switch {
	case s < 2*len(d.durations):
		return d.durations[s/2]
	case s < smallFrom:
		return time.Duration(s) * time.Millisecond
	default:
		return time.Duration(d.U64())
	}
}

// Float returns a table value, a hundredth of the selector, or raw bits.
func (d *Decoder) Float() float64 {
	s := int(d.Byte())
	switch {
	case s < 2*len(d.floats):
		return d.floats[s/2]
	case s < smallFrom:
		return float64(s) / 100
	default:
		return math.Float64frombits(d.U64())
	}
}

// String returns a word of vocab, or up to 16 raw bytes of the stream.
func (d *Decoder) String(vocab []string) string {
	s := int(d.Byte())
	if s < 2*len(vocab) {
		return vocab[s/2]
	}
	n := min(s%17, len(d.b))
	out := string(d.b[:n])
	d.b = d.b[n:]
	return out
}

// Left returns how many bytes of the stream are still unread.
func (d *Decoder) Left() int { return len(d.b) }
