package faulttest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/resilient-go/resilient/internal/chaos"
)

// ErrInvalidConfig is wrapped by every error New and NewServer return; the
// message names the phase and the field at fault.
var ErrInvalidConfig = errors.New("faulttest: invalid config")

// ErrClosed is returned by a RoundTripper request whose Hang fault was
// released by Injector.Close. It is the engine's own error value, so
// errors.Is matches it whichever door the request came through.
var ErrClosed = chaos.ErrClosed

// Injector injects faults into the requests that pass through the
// RoundTrippers and Handlers it wraps: one seeded random source and one
// schedule of phases shared by all of them, counting what it injects.
//
// Create one with New; the zero Injector is not usable. An Injector is safe
// for concurrent use and starts no goroutine. Close releases the requests
// held by a Hang fault.
type Injector struct {
	in *chaos.Injector
}

// New validates cfg and returns an Injector whose schedule starts now.
// A bad config gives an error wrapping ErrInvalidConfig that names the phase
// and field: no phase, a probability outside [0, 1], exclusive faults summing
// past 1, a negative Duration or a 0 Duration before the last phase, a bad
// latency distribution, a StatusCode outside [100, 999] when Status > 0,
// a control character in RetryAfter, a negative SlowChunk or SlowDelay.
func New(cfg Config) (*Injector, error) {
	in, err := chaos.New(cfg.chaos())
	if err != nil {
		// Re-word the engine's error under this package's sentinel: the
		// engine's name means nothing to a user who cannot import it.
		msg := strings.TrimPrefix(err.Error(), chaos.ErrInvalidConfig.Error()+": ")
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, msg)
	}
	return &Injector{in: in}, nil
}

// RoundTripper returns an http.RoundTripper that injects the Injector's
// faults in front of next (nil means http.DefaultTransport). See Phase for
// what each fault does.
//
// It keeps the RoundTripper contract: it never modifies the request, closes
// the request body whenever it does not forward the request, returns HTTP
// statuses as responses, never as errors, and is safe for concurrent use.
// It forwards CloseIdleConnections to next when next has it.
func (in *Injector) RoundTripper(next http.RoundTripper) http.RoundTripper {
	return in.in.RoundTripper(next)
}

// Handler returns an http.Handler that injects the Injector's faults in
// front of next, for real servers (httptest.NewServer and the like): a Reset
// is a real TCP RST, a Truncate a real short body. See Phase for what each
// fault does on the server side. Call Close before closing the server, to
// release requests held by a Hang; NewServer does that for you.
func (in *Injector) Handler(next http.Handler) http.Handler {
	return in.in.Handler(next)
}

// Phase returns the name of the phase in force now.
func (in *Injector) Phase() string { return in.in.Phase() }

// Restart restarts the schedule from the first phase now and reseeds the
// random source with Config.Seed, so that a restarted run draws the same
// faults as a fresh Injector. Stats are not reset.
func (in *Injector) Restart() { in.in.Restart() }

// Stats returns a snapshot of the counters.
func (in *Injector) Stats() Stats { return statsFrom(in.in.Stats()) }

// Close releases every request held by a Hang fault, now and later: from
// then on a Hang returns at once (ErrClosed from a RoundTripper, an aborted
// connection from a Handler). The other faults keep working. Close is
// idempotent and safe for concurrent use.
func (in *Injector) Close() { in.in.Close() }
