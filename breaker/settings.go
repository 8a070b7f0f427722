package breaker

import (
	"math/bits"
	"runtime"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// settings is the read-only part of a [Breaker], built once from a
// validated Config. The breakers of a [Group] share their template's, by
// pointer, so that a new key costs no copy of the config: a breaker holds
// only its own state and its name.
type settings struct {
	tick          int64 // nanoseconds per epoch: the bucket length (1s for a count window)
	nb            int64 // buckets per stripe (1 for a count window)
	slowDur       int64 // SlowCallDuration in nanoseconds; 0: tracking off
	stripes       int   // stripes of a grown time window and of the rejection counters
	kind          WindowKind
	size          int // a count window's Size
	failureRatio  float64
	slowRatio     float64
	minThroughput uint64
	consecLimit   uint64 // 0: off
	breakDur      time.Duration
	breakBackoff  backoff.Strategy
	probes        uint32
	needSuccesses uint32
	onChange      func(StateChange)
	maxWaiters    int64
	rand          func() float64 // Config.Rand; nil: math/rand/v2
}

// newSettings returns the settings of a validated Config.
func newSettings(c Config) *settings {
	s := &settings{
		tick:          int64(time.Second),
		nb:            1,
		slowDur:       int64(c.SlowCallDuration),
		stripes:       stripeCount(),
		kind:          c.Window.Kind,
		size:          c.Window.Size,
		failureRatio:  c.FailureRatio,
		slowRatio:     c.SlowCallRatio,
		minThroughput: uint64(c.MinThroughput),
		consecLimit:   uint64(c.ConsecutiveFailures),
		breakDur:      c.BreakDuration,
		breakBackoff:  c.BreakBackoff,
		probes:        uint32(c.HalfOpenProbes),
		needSuccesses: uint32(c.HalfOpenSuccesses),
		onChange:      c.OnStateChange,
		maxWaiters:    int64(c.MaxWaiters),
		rand:          c.Rand,
	}
	if c.Window.Kind == TimeWindow {
		s.tick = int64(c.Window.Period / time.Duration(c.Window.Buckets))
		s.nb = int64(c.Window.Buckets)
	}
	return s
}

// Stripes of a grown time window and of the rejection counter.
const (
	minStripes = 4
	maxStripes = 64
)

// stripeCount returns a power of two >= 4·GOMAXPROCS in [minStripes,
// maxStripes].
func stripeCount() int {
	n := 4 * runtime.GOMAXPROCS(0)
	n = 1 << bits.Len(uint(n-1))
	return min(max(n, minStripes), maxStripes)
}
