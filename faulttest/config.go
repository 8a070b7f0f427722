package faulttest

import (
	"net/http"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// Default values of the Phase fields whose zero value means "default"
// (the engine's own; a test checks that they agree).
const (
	DefaultStatusCode = http.StatusServiceUnavailable // Phase.StatusCode
	DefaultSlowChunk  = 16                            // Phase.SlowChunk, in bytes
	DefaultSlowDelay  = 10 * time.Millisecond         // Phase.SlowDelay
)

// Config configures an Injector: a seed and a schedule of phases.
//
// The zero Config is invalid (it has no phase); a Config with a single zero
// Phase is a valid Injector that injects nothing.
type Config struct {
	// Seed seeds the random source that draws every decision. The same
	// Seed and the same order of requests give the same faults and
	// latencies; the zero Seed is a seed like any other.
	Seed uint64

	// Phases is the schedule; at least one is required. It starts at New
	// (and again at Injector.Restart) and walks the phases by their
	// Duration. A last phase with Duration 0 lasts forever; when every
	// phase has a Duration, the schedule stays in the last phase after its
	// end.
	Phases []Phase

	// Now tells the time for the schedule. Nil means time.Now. It is
	// called once per request and never cached, so time.Now works inside
	// testing/synctest bubbles; a hand-set clock steps through the phases
	// in an Example.
	Now func() time.Time
}

// chaos converts c to the engine's Config.
func (c Config) chaos() chaos.Config {
	out := chaos.Config{Seed: c.Seed, Now: c.Now}
	if c.Phases != nil {
		out.Phases = make([]chaos.Phase, len(c.Phases))
		for i, p := range c.Phases {
			out.Phases[i] = p.chaos()
		}
	}
	return out
}
