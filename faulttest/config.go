package faulttest

import (
	"errors"
	"time"
)

// ErrInvalidConfig is wrapped by every error New and NewServer return; the
// message names the phase and the field at fault.
var ErrInvalidConfig = errors.New("faulttest: invalid config")

// ErrClosed is returned by a RoundTripper request whose Hang fault was
// released by Injector.Close.
var ErrClosed = errors.New("faulttest: injector closed")

// Config configures an Injector: a seed and a schedule of phases.
//
// The zero Config is invalid (it has no phase); a Config with a single zero
// Phase is a valid Injector that injects nothing.
type Config struct {
	// Seed seeds the random source (math/rand/v2 PCG) that draws every
	// decision of the Injector: whether each request is delayed, by how
	// much, and which fault it gets. The same Seed and the same order of
	// requests give the same faults and latencies; the zero Seed is a seed
	// like any other. It covers the Injector's draws only: the client
	// under test draws its own randomness (a retry's jittered backoff, a
	// breaker's jittered open time) from its own source.
	Seed uint64

	// Phases is the schedule; at least one is required. It starts at New
	// (and again at Injector.Restart) and walks the phases by their
	// Duration. A last phase with Duration 0 lasts forever; when every
	// phase has a Duration, the schedule stays in the last phase after its
	// end.
	Phases []Phase

	// Now tells the time for the schedule. Nil means time.Now. It is
	// called once per request (outside any lock) and never cached, so
	// time.Now works inside testing/synctest bubbles; a hand-set clock
	// steps through the phases in an Example.
	Now func() time.Time
}
