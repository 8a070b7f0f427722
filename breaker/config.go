package breaker

import (
	"strconv"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// Config describes a [Breaker]; [New] builds one.
//
// Every zero field means its default, so the zero Config is
// [DefaultConfig]: trip when at least half of the calls of the last 10
// seconds failed, once there were at least 20 of them; stay open 5 seconds;
// then admit one probe, and close on its success. A Config is a plain
// value: copy it, change it, and pass it to New.
type Config struct {
	// Name names the breaker in errors ([OpenError.Key]), snapshots and
	// notifications. A [Group] sets it to the key. It may be empty.
	Name string

	// FailureRatio trips the breaker when failures/calls in the window
	// reaches it, once the window holds at least MinThroughput calls.
	// Zero means 0.5. It must be in (0, 1]; 1 trips only when every call
	// in the window failed.
	FailureRatio float64

	// MinThroughput is the fewest calls in the window for which the
	// ratios (FailureRatio, SlowCallRatio) are evaluated, so that a quiet
	// period with two calls, one failed, does not trip. Zero means 20.
	// Negative is an error, and so is a value above Window.Size for a
	// count window (the ratios could never be evaluated). It does not
	// apply to ConsecutiveFailures.
	MinThroughput int

	// SlowCallDuration turns on slow-call tracking: a call that took at
	// least this long (from Allow to Done) counts as slow, whether it
	// succeeded or failed. Zero, the default, turns tracking off. Tracking
	// costs two clock reads per call (one in Allow, one in Done); without
	// it the success path reads no clock. Negative is an error.
	SlowCallDuration time.Duration

	// SlowCallRatio trips the breaker when slow/calls in the window
	// reaches it, once the window holds at least MinThroughput calls.
	// Zero means 1.0: trip only when every call in the window was slow
	// (resilience4j's default slowCallRateThreshold, 100 %). It must be in
	// (0, 1]. It is ignored when SlowCallDuration is zero.
	SlowCallRatio float64

	// ConsecutiveFailures also trips the breaker after that many failures
	// in a row (without a success in between), whatever the window holds:
	// a destination that has gone down is found within a few calls, not
	// after the window's ratio has caught up with the successes before
	// the outage (a second of them, at 100 calls/s), nor never, for a
	// client whose calls are too few to reach MinThroughput. Zero means
	// 10 (gobreaker trips after 6); negative turns it off. Random errors
	// rarely run to 10: at 30 % errors, once in 170,000 calls.
	ConsecutiveFailures int

	// Window is where calls are counted. The zero Window is a time window
	// of 10 seconds in 10 buckets.
	Window Window

	// BreakDuration, when positive, is a fixed time the breaker stays
	// open before it admits a probe. Zero means the default: a break that
	// starts short and grows only while probes keep failing (see
	// DefaultBreakBackoff); negative is an error. It is ignored when
	// BreakBackoff is set.
	BreakDuration time.Duration

	// BreakBackoff, when set, makes the open time grow with repeated
	// trips: the n-th trip in a row (n = 1, 2, …; a close resets the run)
	// stays open BreakBackoff.Backoff(n-1). A jittered strategy keeps a
	// fleet of clients from probing in step:
	//
	//	bo, _ := backoff.New(backoff.Config{Base: 5 * time.Second, Max: 2 * time.Minute, Jitter: backoff.EqualJitter})
	//	b, _ := breaker.New(breaker.Config{BreakBackoff: bo})
	//
	// Nil means a fixed BreakDuration when it is set, and
	// DefaultBreakBackoff otherwise.
	BreakBackoff backoff.Strategy

	// MaxWaiters bounds the calls that may wait in [Breaker.Wait] at the
	// same time for this breaker to admit them; past it, Wait fails at
	// once as Allow does. Zero means 512; negative is an error. The
	// waiters are the callers' own goroutines: a breaker starts none.
	MaxWaiters int

	// HalfOpenProbes is the most calls admitted at the same time while
	// half-open; further calls are rejected. Zero means 1 (Polly v8 admits
	// a single probe). Negative, or more than 1<<30, is an error.
	HalfOpenProbes int

	// HalfOpenSuccesses is the number of successful probes that close the
	// breaker. Zero means HalfOpenProbes. Negative, or more than 1<<30, is
	// an error. It may
	// exceed HalfOpenProbes: probes then run in successive rounds, each
	// finished probe freeing a slot for the next. Any failed (or slow)
	// probe opens the breaker again.
	HalfOpenSuccesses int

	// OnStateChange, when set, is called after every transition, on the
	// goroutine that made it (the caller of Allow, Done, State, Snapshot or
	// a manual transition, or the timer that ends an open state), and
	// outside every lock: it may call any method of the breaker, State
	// and Snapshot included. Transitions made concurrently may be notified
	// out of order; StateChange.Generation orders them. It should return
	// quickly: it delays the call that caused the transition.
	OnStateChange func(StateChange)

	// Rand returns a number uniform in [0, 1). Every random draw of the
	// breaker comes from it: which successes read the clock (see the
	// package documentation), which window stripe a call is counted in,
	// the jitter of the default break (DefaultBreakBackoff's, when
	// neither BreakDuration nor BreakBackoff is set; a BreakBackoff of
	// your own draws from its own backoff.Config.Rand), and the slow
	// start of the calls that [Breaker.Wait] releases after a recovery.
	// Nil means math/rand/v2, which is safe for concurrent use and does
	// not allocate. It is how a run is made repeatable (a simulation, a
	// test): give it a source seeded once (a math/rand/v2 *Rand behind a
	// mutex, since a *Rand is not safe for concurrent use), and the same
	// seed with the same calls in the same order draws the same numbers.
	// A supplied function must be safe for concurrent use: every
	// goroutine that reports a success may call it, and the breakers of
	// a Group share it. Results outside [0, 1) are clamped into it. It is
	// called once per success: keep it cheap, or leave it nil.
	Rand func() float64
}

// DefaultConfig returns the configuration that the zero [Config] stands for:
// Netflix Hystrix's trip condition (failure ratio 0.5, at least 20 calls,
// a 10-second window in 10 buckets) in Polly v8's model (one probe when
// half-open), with resilience4j's slow-call rate threshold (100 %) for
// when SlowCallDuration is set, and a break that probes soon and backs off
// only while probes fail (DefaultBreakBackoff, in the manner of Finagle's
// FailFast and gRPC's reconnect backoff) instead of Hystrix's fixed 5
// seconds. See the package documentation for why.
func DefaultConfig() Config {
	return Config{
		FailureRatio:        0.5,
		MinThroughput:       20,
		ConsecutiveFailures: 10,
		SlowCallRatio:       1,
		Window:              Window{Kind: TimeWindow, Period: 10 * time.Second, Buckets: 10},
		BreakBackoff:        DefaultBreakBackoff(),
		HalfOpenProbes:      1,
		HalfOpenSuccesses:   1,
		MaxWaiters:          defaultMaxWaiters,
	}
}

// DefaultBreakBackoff returns the open time of the n-th trip in a row when
// neither BreakDuration nor BreakBackoff is set: 300ms·1.2ⁿ, ±15 %
// jitter, at most 2 s. The first probe comes a few hundred milliseconds
// after the trip, so that a short outage costs a short recovery (the
// break is under a second for the first 3 s of an outage); each failed
// probe lengthens the next break by 20 %, up to one probe per 2 s per
// breaker, so that the end of even a long outage is found within 2 s.
// Callers stop waiting for those probes on their own terms:
// [Breaker.Wait] fails a call at once when the outage has lasted five
// times the time it has left (after 10 s for 2 s deadlines). No two
// probes come closer than 255ms. The jitter keeps a fleet of clients from
// probing in step.
//
// It returns the same Strategy every time: a backoff.Strategy is immutable
// and safe to share.
func DefaultBreakBackoff() backoff.Strategy { return defaultBreakBackoff }

var defaultBreakBackoff = mustBackoff(defaultBreakBackoffConfig(nil))

// defaultBreakBackoffConfig returns DefaultBreakBackoff's config, its
// jitter drawn from r (nil: math/rand/v2).
func defaultBreakBackoffConfig(r func() float64) backoff.Config {
	return backoff.Config{
		Base:       300 * time.Millisecond,
		Max:        2 * time.Second,
		Multiplier: 1.2,
		Jitter:     backoff.ProportionalJitter,
		Spread:     0.15,
		Rand:       r,
	}
}

func mustBackoff(c backoff.Config) backoff.Strategy {
	s, err := backoff.New(c)
	if err != nil {
		panic(err) // a constant config: cannot fail
	}
	return s
}

// defaultMaxWaiters is MaxWaiters' default.
const defaultMaxWaiters = 512

// WindowKind selects how a [Window] counts calls.
type WindowKind uint8

const (
	// TimeWindow counts the calls of the last Period, in Buckets buckets:
	// the window slides one bucket at a time. It is the zero value and the
	// default, and the one that scales with cores.
	TimeWindow WindowKind = iota

	// CountWindow counts the last Size calls, exactly. Every call updates
	// one shared cursor, so it scales less with cores than TimeWindow.
	CountWindow
)

// String returns "TimeWindow", "CountWindow", or "WindowKind(n)".
func (k WindowKind) String() string {
	switch k {
	case TimeWindow:
		return "TimeWindow"
	case CountWindow:
		return "CountWindow"
	}
	return "WindowKind(" + strconv.Itoa(int(k)) + ")"
}

// Window is where a [Breaker] counts calls. Only the fields of its Kind
// may be set; setting another's is an error (Window{Size: 50} without
// Kind: CountWindow is a mistake, not a time window).
type Window struct {
	// Kind is TimeWindow (the zero value) or CountWindow.
	Kind WindowKind

	// Period is a time window's length. Zero means 10s; negative is an
	// error.
	Period time.Duration

	// Buckets is the number of buckets a time window's Period is cut
	// into: the window slides, and forgets, one bucket (Period/Buckets) at
	// a time. Zero means 10. It must be at most 1000, and a bucket at
	// least 1ms long.
	Buckets int

	// Size is the number of most recent calls a count window holds. Zero
	// means 100. It must be at most 1<<20.
	Size int
}

// Limits on a Window.
const (
	maxBuckets     = 1000
	minBucket      = time.Millisecond
	maxCountWindow = 1 << 20
	defaultSize    = 100
	maxProbes      = 1 << 30 // HalfOpenProbes and HalfOpenSuccesses
)

// withDefaults fills the zero fields of c and validates the result.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.FailureRatio == 0 {
		c.FailureRatio = d.FailureRatio
	}
	if !(c.FailureRatio > 0 && c.FailureRatio <= 1) {
		return c, invalid("FailureRatio %v must be in (0, 1]", c.FailureRatio)
	}
	if c.MinThroughput < 0 {
		return c, invalid("MinThroughput %d is negative", c.MinThroughput)
	}
	if c.MinThroughput == 0 {
		c.MinThroughput = d.MinThroughput
	}
	if c.SlowCallDuration < 0 {
		return c, invalid("SlowCallDuration %v is negative", c.SlowCallDuration)
	}
	if c.SlowCallRatio == 0 {
		c.SlowCallRatio = d.SlowCallRatio
	}
	if !(c.SlowCallRatio > 0 && c.SlowCallRatio <= 1) {
		return c, invalid("SlowCallRatio %v must be in (0, 1]", c.SlowCallRatio)
	}
	switch {
	case c.ConsecutiveFailures < 0:
		c.ConsecutiveFailures = 0 // off
	case c.ConsecutiveFailures == 0:
		c.ConsecutiveFailures = d.ConsecutiveFailures
	}
	w, err := c.Window.withDefaults()
	if err != nil {
		return c, err
	}
	c.Window = w
	if w.Kind == CountWindow && c.MinThroughput > w.Size {
		return c, invalid("MinThroughput %d is more than Window.Size %d: the ratios could never be evaluated", c.MinThroughput, w.Size)
	}
	if c.BreakDuration < 0 {
		return c, invalid("BreakDuration %v is negative", c.BreakDuration)
	}
	if c.BreakDuration == 0 && c.BreakBackoff == nil {
		c.BreakBackoff = d.BreakBackoff
		if c.Rand != nil {
			// The default break, its jitter drawn from c.Rand.
			c.BreakBackoff = mustBackoff(defaultBreakBackoffConfig(c.Rand))
		}
	}
	if c.MaxWaiters < 0 {
		return c, invalid("MaxWaiters %d is negative", c.MaxWaiters)
	}
	if c.MaxWaiters == 0 {
		c.MaxWaiters = defaultMaxWaiters
	}
	if c.HalfOpenProbes < 0 {
		return c, invalid("HalfOpenProbes %d is negative", c.HalfOpenProbes)
	}
	if c.HalfOpenProbes == 0 {
		c.HalfOpenProbes = d.HalfOpenProbes
	}
	if c.HalfOpenProbes > maxProbes {
		return c, invalid("HalfOpenProbes %d is more than %d", c.HalfOpenProbes, maxProbes)
	}
	if c.HalfOpenSuccesses < 0 {
		return c, invalid("HalfOpenSuccesses %d is negative", c.HalfOpenSuccesses)
	}
	if c.HalfOpenSuccesses == 0 {
		c.HalfOpenSuccesses = c.HalfOpenProbes
	}
	if c.HalfOpenSuccesses > maxProbes {
		return c, invalid("HalfOpenSuccesses %d is more than %d", c.HalfOpenSuccesses, maxProbes)
	}
	return c, nil
}

// withDefaults fills the zero fields of w and validates the result.
func (w Window) withDefaults() (Window, error) {
	switch w.Kind {
	case TimeWindow:
		if w.Size != 0 {
			return w, invalid("Window.Size %d is set for a TimeWindow (set Window.Kind to CountWindow)", w.Size)
		}
		if w.Period < 0 {
			return w, invalid("Window.Period %v is negative", w.Period)
		}
		if w.Period == 0 {
			w.Period = DefaultConfig().Window.Period
		}
		if w.Buckets < 0 {
			return w, invalid("Window.Buckets %d is negative", w.Buckets)
		}
		if w.Buckets == 0 {
			w.Buckets = DefaultConfig().Window.Buckets
		}
		if w.Buckets > maxBuckets {
			return w, invalid("Window.Buckets %d is more than %d", w.Buckets, maxBuckets)
		}
		if w.Period/time.Duration(w.Buckets) < minBucket {
			return w, invalid("Window.Period %v in %d Window.Buckets makes buckets shorter than %v", w.Period, w.Buckets, minBucket)
		}
	case CountWindow:
		if w.Period != 0 || w.Buckets != 0 {
			return w, invalid("Window.Period %v and Window.Buckets %d are set for a CountWindow", w.Period, w.Buckets)
		}
		if w.Size < 0 {
			return w, invalid("Window.Size %d is negative", w.Size)
		}
		if w.Size == 0 {
			w.Size = defaultSize
		}
		if w.Size > maxCountWindow {
			return w, invalid("Window.Size %d is more than %d", w.Size, maxCountWindow)
		}
	default:
		return w, invalid("Window.Kind %v is not defined", w.Kind)
	}
	return w, nil
}
