// Package lclock gives events in different services an order that wall
// clocks cannot: logical clocks. When logs from many services are pulled
// into one place, wall clocks drift, and a reply can carry an earlier
// timestamp than its request. A logical clock carried on every call
// guarantees that if event e happened before event f (in one process, or
// through a message sent after e and received before f), then e's stamp is
// less than f's.
//
// Two clocks, with the same verbs ([Clock]): Tick records a local or send
// event, Witness a received stamp, Now reads the last stamp.
//
//   - [Lamport] (Lamport, 1978): a counter. Stamps are small integers with
//     no relation to time.
//   - [HLC], a hybrid logical clock (Kulkarni et al., 2014; CockroachDB's
//     clock): a stamp is the largest wall time heard of, in milliseconds,
//     and a counter, packed in 64 bits. It orders events as a Lamport
//     clock does while staying within the clocks' skew of wall time, so
//     its stamps still read as times. It is the one to use unless there is
//     no wall clock.
//
// Both are zero-value ready, safe for concurrent use, lock-free (one
// CompareAndSwap loop on one word) and allocation-free.
//
// # Hostile input
//
// A received stamp far ahead of ours, from a buggy or hostile peer, must
// not drag the clock away for good. An HLC refuses a stamp whose wall part
// is more than [Config.MaxOffset] (500ms by default, as CockroachDB) ahead
// of its own wall clock; a Lamport clock one more than
// [LamportConfig.MaxJump] ahead of its value. A refused stamp is counted
// ([Stats.Rejected]) and Witness returns [ErrAhead] along with a valid
// local stamp; nothing panics, and no counter wraps: an HLC's logical
// counter carries into the wall part, and a clock at the largest Stamp
// stays there ([Stats.Overflowed]).
//
// # What it does not give
//
// Stamps order events that are causally related. The converse does not
// hold: stamp(e) < stamp(f) does not mean e happened before f; two
// concurrent events (neither could have influenced the other) get ordered
// stamps too, in an arbitrary order. A logical clock cannot tell concurrent
// events from causally related ones; vector clocks can, at a cost of one
// counter per process in every message. See docs/logical-clocks.md.
//
// # How it fits the stack
//
// This package is a core: it knows nothing about HTTP. Package
// lclock/lclockhttp carries stamps on HTTP (and Twirp) calls: a client
// middleware, a transport.Middleware, and a server handler wrapper that
// puts the receive stamp in the request context ([FromContext]). A
// [Handler] wraps a log/slog handler to stamp every record with the clock
// and a service name; the logmerge command (lclock/cmd/logmerge) merges
// JSON logs from several services by stamp. Use one clock per process,
// shared by propagation and logging.
package lclock
