package chaos

import (
	"time"

	"github.com/resilient-go/resilient/faulttest"
)

// The engine's types, as faulttest defines and documents them.
type (
	Config       = faulttest.Config       // a seed and a schedule of phases
	Phase        = faulttest.Phase        // one stretch of the schedule and its faults
	Latency      = faulttest.Latency      // the delay a Phase adds
	Distribution = faulttest.Distribution // a latency distribution
	Injector     = faulttest.Injector     // the engine
	Counts       = faulttest.Counts       // what an Injector injected
	PhaseStats   = faulttest.PhaseStats   // the Counts of one phase
	Stats        = faulttest.Stats        // totals and per-phase Counts
)

// The defaults of the Phase fields whose zero value means "default".
const (
	DefaultStatusCode = faulttest.DefaultStatusCode // Phase.StatusCode
	DefaultSlowChunk  = faulttest.DefaultSlowChunk  // Phase.SlowChunk, in bytes
	DefaultSlowDelay  = faulttest.DefaultSlowDelay  // Phase.SlowDelay
)

// The engine's errors: the same values as faulttest's, so errors.Is matches
// whichever name a test uses.
var (
	ErrInvalidConfig = faulttest.ErrInvalidConfig // wrapped by New's errors
	ErrClosed        = faulttest.ErrClosed        // a Hang released by Injector.Close
)

// New is faulttest.New: it validates cfg and returns an Injector whose
// schedule starts now.
func New(cfg Config) (*Injector, error) { return faulttest.New(cfg) }

// Fixed is faulttest.Fixed: a Distribution that always delays by d.
func Fixed(d time.Duration) Distribution { return faulttest.Fixed(d) }

// Uniform is faulttest.Uniform: a Distribution uniform over [min, max).
func Uniform(min, max time.Duration) Distribution { return faulttest.Uniform(min, max) }

// Pareto is faulttest.Pareto: a heavy-tailed Distribution capped at max.
func Pareto(scale time.Duration, alpha float64, max time.Duration) Distribution {
	return faulttest.Pareto(scale, alpha, max)
}
