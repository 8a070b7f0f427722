package transport

import (
	"net/http"
	"time"

	"github.com/resilient-go/resilient/pool"
)

// Config configures the assembled stack that New builds. The zero Config
// gives the recommended defaults (DefaultConfig spells them out); each
// field says what its zero value means, and no field is changed by New.
// Stages, outermost first:
//
//	[coalesce] → [balance: per call] → total timeout → retry → [hedge] → [balance: per attempt] → breaker (per host) → limit + queue (per host) → attempt timeout → [Attempt middlewares] → base
//
// Two rules hold for every stage:
//   - A stage that is on by default (the timeouts, retry, breaker, limit
//     and its server pushback) is switched off by its Off field:
//     Retry.Off, Breaker.Off, Limit.Off, Limit.PushbackOff,
//     Timeout.TotalOff, Timeout.AttemptOff.
//   - A stage that is opt-in (Hedge, Coalesce, Balance) is on when its
//     pointer is set, even to a zero config (its defaults).
//
// Where a stage may share an instance with other clients (Breaker.Group,
// Balance.Balancer, Limit.Rate, Retry.Budget), nil means one built from the
// stage's settings; setting both the instance and the settings it would
// replace is an error.
type Config struct {
	// Base is the RoundTripper at the bottom of the stack. Nil means a
	// tuned connection pool of our own (package pool, built from Pool),
	// whose reuse statistics Snapshot reports.
	Base http.RoundTripper

	// Pool configures the pool built when Base is nil. Its zero value
	// means pool.DefaultConfig.
	Pool pool.Config

	// Timeout bounds each call and each attempt (see TimeoutConfig: zero
	// means 15s a call, 5s an attempt).
	Timeout TimeoutConfig

	// Retry configures retries (see RetryConfig: zero means 4 attempts,
	// full-jitter backoff from 50ms, a retry budget of 20 % of recent
	// successes). Retry.Off sends every request once.
	Retry RetryConfig

	// Hedge, when set, hedges idempotent requests (see HedgeConfig): a
	// second attempt after a delay, the first good answer wins. It sits
	// inside Retry, and when its Budget is nil it draws on the retry
	// budget (Retry credits the successful calls, once). Nil means no
	// hedging.
	Hedge *HedgeConfig

	// Coalesce, when set, lets identical concurrent GETs share one
	// upstream call (see CoalesceConfig). It is the outermost stage, so
	// the shared call runs under its own total timeout. Nil means off.
	Coalesce *CoalesceConfig

	// Balance, when set, spreads each attempt over the replicas of a
	// service (see BalanceConfig and Balance): it sits below Retry and
	// Hedge, so each attempt is balanced and a retry goes to a replica the
	// call has not tried, and above Breaker and Limit, which then key on
	// the replica (one breaker, one pushback pause per replica). When its
	// Balancer is nil, New builds one from its settings (Resolver must
	// then be set); Snapshot reports the endpoints either way. Nil means
	// no balancing.
	Balance *BalanceConfig

	// Breaker configures the per-host circuit breakers (see
	// BreakerConfig: zero means trip at 50 % failures over 10 s once 20
	// calls were seen, or after 10 failures in a row). Breaker.Off goes
	// without.
	Breaker BreakerConfig

	// Limit configures the per-host load control (see LimitConfig: zero
	// means server pushback only). Limit.Off goes without, pushback
	// included.
	Limit LimitConfig

	// Classifier judges every attempt for every stage whose own
	// Classifier is nil. Nil means DefaultClassifier.
	Classifier Classifier

	// Attempt holds middlewares that run on every attempt (retries and
	// hedges included), innermost of all, just above Base; the first is
	// outermost. Use it for what must see each attempt as sent: a
	// logical-clock stamp (lclock/lclockhttp), a header signed per attempt,
	// a fault injector in tests. Nil entries are an error.
	Attempt []Middleware

	// Hooks observe every stage (see Hooks; SlogHooks logs them). The
	// zero value observes nothing and costs nothing.
	Hooks Hooks
}

// TimeoutConfig configures the stack's two timeouts: the total one, around
// the whole call (see TotalTimeout), and the per-attempt one (see
// AttemptTimeout). The caller's own deadline applies as well, and wins
// when it is sooner.
type TimeoutConfig struct {
	// Total bounds a whole call, retries and waits included. Zero means
	// 15s; negative is an error.
	Total time.Duration
	// TotalOff leaves the call's bound to the caller's context.
	TotalOff bool

	// Attempt bounds each attempt's wait for its response headers. Zero
	// means 5s; negative is an error, and so is an Attempt longer than
	// Total.
	Attempt time.Duration
	// AttemptOff lets each attempt wait as long as the call may.
	AttemptOff bool
}

// DefaultConfig returns the values that the zero Config stands for: a
// fresh copy, so that changing it changes nothing else.
func DefaultConfig() Config {
	return Config{
		Timeout: TimeoutConfig{Total: defaultTotalTimeout, Attempt: defaultAttemptTimeout},
		Retry:   DefaultRetryConfig(),
	}
}

const (
	// defaultTotalTimeout is TimeoutConfig.Total's default.
	defaultTotalTimeout = 15 * time.Second
	// defaultAttemptTimeout is TimeoutConfig.Attempt's default.
	defaultAttemptTimeout = 5 * time.Second
)
