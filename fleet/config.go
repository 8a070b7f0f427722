package fleet

import (
	"fmt"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/resilient-go/resilient/breaker"
)

// Fallback says what a [Limiter] does with a call that it cannot decide
// with Redis: Redis is down, slow or partitioned, or the breaker around it
// is open.
type Fallback uint8

const (
	// FallbackLocal, the default, limits each key locally to the fleet's
	// limit divided by Config.ExpectedReplicas (a token bucket of
	// golang.org/x/time/rate, through limiter.Rate). While Redis is away
	// the fleet as a whole admits about Limit × (actual replicas /
	// expected replicas).
	FallbackLocal Fallback = iota

	// FailOpen admits every call while Redis is away: availability over
	// the limit.
	FailOpen

	// FailClosed rejects every call while Redis is away (errors matching
	// ErrUnavailable and limiter.ErrLimited): the limit over availability.
	FailClosed
)

// String returns "local", "open", "closed", or "fallback(n)".
func (f Fallback) String() string {
	switch f {
	case FallbackLocal:
		return "local"
	case FailOpen:
		return "open"
	case FailClosed:
		return "closed"
	}
	return fmt.Sprintf("fallback(%d)", uint8(f))
}

// Config describes a [Limiter]; [New] builds one. Redis, Limit and (with
// the default FallbackLocal) ExpectedReplicas must be set: no default
// suits every fleet. Every other zero field means its default.
type Config struct {
	// Redis is the client the limiter talks to; it must be set. It is the
	// caller's: Close does not close it. A *redis.Client, a
	// *redis.ClusterClient (each key lives in one slot) or a
	// *redis.FailoverClient will do. Recommended options: a small
	// ReadTimeout and WriteTimeout, ContextTimeoutEnabled true (so that
	// Timeout also bounds the socket I/O) and MaxRetries -1 (the breaker and
	// the fallback handle failures; retrying inside go-redis only delays
	// them). Whatever its options, no call to Allow waits for Redis longer
	// than Timeout.
	Redis redis.UniversalClient

	// Limit is the fleet-wide limit per key, in redis_rate's terms: Rate
	// events per Period, with bursts of up to Burst (redis_rate.PerSecond
	// (100) is 100/s, bursts of 100). It must be set: Rate and Period must
	// be positive. A zero Burst means Rate.
	Limit redis_rate.Limit

	// ExpectedReplicas is the number of replicas expected to share the
	// limit. With FallbackLocal it must be set: while Redis is away each
	// replica admits Limit/ExpectedReplicas per key (bursts of
	// ⌈Burst/ExpectedReplicas⌉). Zero is an error with FallbackLocal and
	// ignored otherwise; negative is always an error.
	ExpectedReplicas int

	// Fallback says what calls do while Redis is away. Zero means
	// FallbackLocal.
	Fallback Fallback

	// Prefix is prepended to every Redis key the limiter writes (the
	// rate's, "rate:"+Prefix+key, and the shared pause's,
	// Prefix+"pause:"+key). Zero means "resilient:fleet:". Limiters with
	// the same Prefix and key share one limit: give every replica of a
	// client the same Prefix, and unrelated limits different ones.
	Prefix string

	// Timeout bounds every Redis call, and how long a call to Allow waits
	// for one. Zero means 50ms; negative is an error. Redis answers a
	// loopback or same-zone call in well under a millisecond: the timeout
	// is there for when it does not.
	Timeout time.Duration

	// LeaseTTL is how long permits taken from Redis stay usable. A lease
	// is sized to last about half of it at the key's recent rate, and
	// its unused permits are dropped when it expires, so they cannot
	// accumulate. Zero means 100ms; negative is an error.
	LeaseTTL time.Duration

	// MaxLease caps the permits taken in one round trip. Zero means one
	// LeaseTTL's worth of the whole limit, ⌈Rate·LeaseTTL/Period⌉, kept
	// within [1, Burst]. It must not exceed Burst (GCRA could never grant
	// it); negative is an error. The fleet may admit up to replicas ×
	// MaxLease beyond what one Redis round trip per call would admit in
	// any window (see the package documentation).
	MaxLease int

	// MaxPause caps a shared server pause (see [Limiter.Pause]), whatever
	// Retry-After asked for. Zero means 30s; negative is an error.
	MaxPause time.Duration

	// PauseRefresh is how often, at most, a replica reads a key's shared
	// pause from Redis; between reads it uses its cached copy, so a pause
	// set by another replica reaches this one within about PauseRefresh.
	// The read happens in the background: no call waits for it. Zero
	// means 100ms; negative is an error.
	PauseRefresh time.Duration

	// MaxKeys is the most keys the limiter tracks. Zero means 1024;
	// negative is an error. A new key beyond it evicts the least recently
	// used key that has no Redis call in flight (its lease is dropped),
	// among a sample of 5 keys (all of them while MaxKeys is 5 or less):
	// a new key costs the same however many keys come and go.
	MaxKeys int

	// Breaker configures the circuit breaker around Redis (one for the
	// whole limiter: an unreachable Redis fails every key). While it is
	// open, calls skip Redis and go straight to the fallback, instead of
	// each paying Timeout; after its break one call probes Redis, and
	// the fleet limit resumes when the probe succeeds. Nil means three
	// consecutive failures (or breaker's default failure ratio) trip it
	// for 1s. Its Name, if empty, is "redis".
	Breaker *breaker.Config

	// Hooks observe the limiter. Unset hooks cost nothing.
	Hooks Hooks
}

// Hooks observe a [Limiter]. Every field is optional. Hooks are called
// outside every lock of the limiter, mostly on its background goroutines;
// they must be safe for concurrent use and return quickly.
type Hooks struct {
	// OnLease is called after each lease round trip that Redis answered.
	OnLease func(Lease)

	// OnRedisError is called for each Redis call that failed or timed out
	// (a lease, a pause read or write).
	OnRedisError func(RedisError)

	// OnBreakerStateChange is called after every transition of the
	// breaker around Redis: Open means calls now use the fallback;
	// Closed (after HalfOpen) means the fleet limit has resumed. It runs
	// after the breaker's own Config.OnStateChange, if any.
	OnBreakerStateChange func(breaker.StateChange)
}

// Lease describes one lease round trip that Redis answered.
type Lease struct {
	// Key is the limiter key (not the Redis key).
	Key string
	// Requested is the number of permits asked for, Granted the number
	// Redis granted: all of them or none (GCRA, redis_rate.AllowN).
	Requested, Granted int
	// RetryAfter is, when nothing was granted, how long until Requested
	// permits would be available; the key's calls are refused locally
	// until then.
	RetryAfter time.Duration
	// Took is the round trip's duration.
	Took time.Duration
}

// RedisError describes a Redis call that failed or timed out.
type RedisError struct {
	// Key is the limiter key the call was for.
	Key string
	// Op is "lease", "pause-read" or "pause-write".
	Op string
	// Err is the error.
	Err error
}

// Defaults.
const (
	defaultPrefix       = "resilient:fleet:"
	defaultTimeout      = 50 * time.Millisecond
	defaultLeaseTTL     = 100 * time.Millisecond
	defaultMaxPause     = 30 * time.Second
	defaultPauseRefresh = 100 * time.Millisecond
	defaultMaxKeys      = 1024
)

// defaultBreaker is the breaker around Redis when Config.Breaker is nil:
// trip fast (a dead Redis fails every call) and probe again soon (so the
// fleet limit comes back within a second or two of Redis).
var defaultBreaker = breaker.Config{
	Name:                "redis",
	ConsecutiveFailures: 3,
	BreakDuration:       time.Second,
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// withDefaults validates c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.Redis == nil {
		return c, invalid("Redis is nil: pass the client the fleet shares")
	}
	switch {
	case c.Limit.Rate <= 0:
		return c, invalid("Limit.Rate is %d: must be positive (redis_rate.PerSecond(n))", c.Limit.Rate)
	case c.Limit.Period <= 0:
		return c, invalid("Limit.Period is %v: must be positive", c.Limit.Period)
	case c.Limit.Burst < 0:
		return c, invalid("Limit.Burst is %d: must be >= 0", c.Limit.Burst)
	}
	if c.Limit.Burst == 0 {
		c.Limit.Burst = c.Limit.Rate
	}
	if c.Fallback > FailClosed {
		return c, invalid("Fallback is %v: must be FallbackLocal, FailOpen or FailClosed", c.Fallback)
	}
	if c.ExpectedReplicas < 0 {
		return c, invalid("ExpectedReplicas is %d: must be >= 0", c.ExpectedReplicas)
	}
	if c.ExpectedReplicas == 0 && c.Fallback == FallbackLocal {
		return c, invalid("ExpectedReplicas is zero: with FallbackLocal, say how many replicas share the limit (each gets Limit/ExpectedReplicas while Redis is away)")
	}
	if c.Prefix == "" {
		c.Prefix = defaultPrefix
	}
	durs := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Timeout", &c.Timeout, defaultTimeout},
		{"LeaseTTL", &c.LeaseTTL, defaultLeaseTTL},
		{"MaxPause", &c.MaxPause, defaultMaxPause},
		{"PauseRefresh", &c.PauseRefresh, defaultPauseRefresh},
	}
	for _, d := range durs {
		if *d.v < 0 {
			return c, invalid("%s is %v: must be >= 0", d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.MaxLease < 0 {
		return c, invalid("MaxLease is %d: must be >= 0", c.MaxLease)
	}
	if c.MaxLease > c.Limit.Burst {
		return c, invalid("MaxLease %d exceeds Limit.Burst %d: such a lease could never be granted", c.MaxLease, c.Limit.Burst)
	}
	if c.MaxLease == 0 {
		perTTL := float64(c.Limit.Rate) * c.LeaseTTL.Seconds() / c.Limit.Period.Seconds()
		c.MaxLease = int(min(max(1, math.Ceil(perTTL)), float64(c.Limit.Burst)))
	}
	if c.MaxKeys < 0 {
		return c, invalid("MaxKeys is %d: must be >= 0", c.MaxKeys)
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = defaultMaxKeys
	}
	return c, nil
}

// perSecond is the limit in events per second.
func (c Config) perSecond() float64 {
	return float64(c.Limit.Rate) / c.Limit.Period.Seconds()
}
