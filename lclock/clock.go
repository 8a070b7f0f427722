package lclock

// Clock is what the propagation (package lclockhttp) and logging
// ([Handler]) layers need from a logical clock; [*Lamport] and [*HLC]
// implement it. Every method is safe for concurrent use.
type Clock interface {
	// Tick records a local or send event and returns its stamp, greater
	// than every stamp this clock returned before.
	Tick() Stamp

	// Witness records the receipt of a message stamped s and returns the
	// receive event's stamp, greater than s and than every stamp this clock
	// returned before, unless s was too far ahead: then s is not adopted,
	// the receipt is recorded as a local event, and the error is [ErrAhead].
	Witness(s Stamp) (Stamp, error)

	// Now returns the last stamp this clock returned (zero before the
	// first), without recording an event.
	Now() Stamp

	// AppendStamp appends the text form of s to b ([AppendLamport] or
	// [AppendHLC]).
	AppendStamp(b []byte, s Stamp) []byte

	// ParseStamp parses a text form written by AppendStamp on a clock of
	// the same kind, and returns [ErrMalformed] for anything else.
	ParseStamp(text string) (Stamp, error)
}

// Stats counts what a clock refused or clamped. Its counters only grow.
type Stats struct {
	// Rejected counts received stamps that were too far ahead (Witness
	// returned [ErrAhead]).
	Rejected uint64

	// Overflowed counts events whose stamp could not be formed as usual.
	// For an HLC: events beyond 65535 within one wall millisecond, whose
	// logical counter carried into the wall part (the clock then runs
	// ahead of wall time by a millisecond per 65536 such events). For a
	// Lamport clock and an HLC alike: events at the largest Stamp, which
	// the clock keeps instead of wrapping to zero.
	Overflowed uint64
}

var (
	_ Clock = (*Lamport)(nil)
	_ Clock = (*HLC)(nil)
)
