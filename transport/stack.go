package transport

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/pool"
)

// Config configures the assembled stack that New builds. The zero Config
// gives the recommended defaults; each field says what its zero value
// means. Stages, outermost first:
//
//	[coalesce] → [balance: per call] → total timeout → retry → [hedge] → [balance: per attempt] → breaker (per host) → limit + queue (per host) → attempt timeout → [Attempt middlewares] → base
type Config struct {
	// Base is the RoundTripper at the bottom of the stack. Nil means a
	// tuned connection pool of our own (package pool, built from Pool),
	// whose reuse statistics Snapshot reports.
	Base http.RoundTripper

	// Pool configures the pool built when Base is nil. Its zero value
	// means pool.DefaultConfig.
	Pool pool.Config

	// TotalTimeout bounds a whole call, retries and waits included (see
	// TotalTimeout). Zero means 15s; negative is an error. Set
	// DisableTotalTimeout to leave the bound to the caller's context.
	TotalTimeout time.Duration
	// DisableTotalTimeout leaves the call's bound to the caller's context.
	DisableTotalTimeout bool

	// AttemptTimeout bounds each attempt's wait for its response headers
	// (see AttemptTimeout). Zero means 5s; negative is an error. Set
	// DisableAttemptTimeout to let an attempt wait as long as the call may.
	AttemptTimeout time.Duration
	// DisableAttemptTimeout lets each attempt wait as long as the call may.
	DisableAttemptTimeout bool

	// Retry configures retries (see RetryConfig: zero means 3 attempts,
	// full-jitter backoff from 100ms, a retry budget of 20 % of recent
	// successes). Its Classifier is replaced by Classifier. Set
	// DisableRetry to send every request once.
	Retry RetryConfig
	// DisableRetry sends every request once.
	DisableRetry bool

	// Hedge, when set, hedges idempotent requests (see HedgeConfig): a
	// second attempt after a delay, the first good answer wins. It sits
	// inside Retry and draws on the retry budget (its Budget and
	// NoDeposit are set by New). Nil means no hedging.
	Hedge *HedgeConfig

	// Coalesce, when set, lets identical concurrent GETs share one
	// upstream call (see CoalesceConfig). It is the outermost stage, so
	// the shared call runs under its own total timeout. Nil means off.
	Coalesce *CoalesceConfig

	// Balance, when set, spreads each attempt over the replicas of a
	// service (see BalanceConfig and Balance): it sits below Retry and
	// Hedge, so each attempt is balanced and a retry goes to a replica the
	// call has not tried, and above Breaker and Limit, which then key on
	// the replica (one breaker, one pushback pause per replica). Its
	// Classifier is replaced by Classifier. When its Balancer is nil, New
	// builds one from Balancing (Resolver must then be set); Snapshot
	// reports the endpoints either way. Nil means no balancing.
	Balance *BalanceConfig

	// Breaker configures the per-host circuit breakers (see
	// BreakerConfig: zero means trip at 50 % failures over 10 s once 20
	// calls were seen, break 5 s). Its Classifier is replaced by
	// Classifier. Set DisableBreaker to go without.
	Breaker BreakerConfig
	// DisableBreaker goes without circuit breakers.
	DisableBreaker bool

	// Limit configures the per-host load control (see LimitConfig: zero
	// means server pushback only). Its Classifier is replaced by
	// Classifier. Set DisableLimit to go without, pushback included.
	Limit LimitConfig
	// DisableLimit goes without load control, server pushback included.
	DisableLimit bool

	// Classifier judges every attempt for every stage. Nil means
	// DefaultClassifier.
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

// DefaultConfig holds the values that the zero Config stands for.
var DefaultConfig = Config{
	TotalTimeout:   15 * time.Second,
	AttemptTimeout: 5 * time.Second,
	Retry:          DefaultRetryConfig,
}

// Transport is the assembled stack: an http.RoundTripper safe for
// concurrent use, built by New. Use it as an http.Client's Transport.
type Transport struct {
	rt       http.RoundTripper
	pool     *pool.Pool
	budget   *backoff.Budget
	breakers *breaker.Group
	limits   *limitTransport
	balancer *balancer.Balancer
}

var _ http.RoundTripper = (*Transport)(nil)

// New assembles the recommended stack from cfg, validating it first: every
// error is a *ConfigError that matches ErrInvalidConfig (and a core's own
// sentinel, such as limiter.ErrInvalidConfig, when a core refused its part)
// and names the field's path from Config ("Config.Limit.Concurrency.Limit"),
// and nothing is checked later, mid-call. Beyond each stage's own checks, it
// requires AttemptTimeout ≤ TotalTimeout; a breaker time window of at
// least twice AttemptTimeout (so that one window sees several attempts);
// and that the retries' worst-case backoff (for strategies that implement
// backoff.Bounded) leaves room for an attempt within TotalTimeout.
func New(cfg Config) (_ *Transport, err error) {
	// Every refusal below names its field; this only keeps a refusal
	// that would not (a bug) matching ErrInvalidConfig.
	defer func() {
		if err != nil && !errors.Is(err, ErrInvalidConfig) {
			err = &ConfigError{Field: "Config", Err: err}
		}
	}()
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Transport{}
	base := c.Base
	if base == nil {
		p, err := pool.New(c.Pool)
		if err != nil {
			return nil, coreError("Config.Pool", err)
		}
		t.pool, base = p, p
	}

	var mws []Middleware
	add := func(mw Middleware, err error) error {
		if err == nil {
			mws = append(mws, mw)
		}
		return err
	}
	observed := c.Hooks.any()
	if observed {
		mws = append(mws, observe(c.Hooks, c.Classifier))
	}
	if c.Coalesce != nil {
		if err := add(Coalesce(*c.Coalesce)); err != nil {
			return nil, within(err, "CoalesceConfig", "Config.Coalesce")
		}
	}
	var balance *BalanceConfig
	if c.Balance != nil {
		bc := *c.Balance
		bc.Classifier = c.Classifier
		if bc.Balancer == nil {
			if bc.Resolver == nil {
				return nil, fieldError("Config.Balance.Resolver", "is nil and so is Config.Balance.Balancer: set one")
			}
			b, err := balancer.New(bc.Balancing)
			if err != nil {
				return nil, coreError("Config.Balance.Balancing", err)
			}
			bc.Balancer = b
		}
		t.balancer, balance = bc.Balancer, &bc
		// Each call remembers the replicas its attempts used, above
		// Retry and Hedge, so that they can avoid them.
		mws = append(mws, BalanceCall())
	}
	if !c.DisableTotalTimeout {
		if err := add(TotalTimeout(c.TotalTimeout)); err != nil {
			return nil, within(err, "TotalTimeout", "Config.TotalTimeout")
		}
	}
	if !c.DisableRetry {
		rc := c.Retry
		rc.Classifier = c.Classifier
		rc.Hooks = joinRetryHooks(rc.Hooks, RetryHooks{
			OnAttempt:         c.Hooks.OnAttempt,
			OnRetry:           c.Hooks.OnRetry,
			OnBudgetExhausted: c.Hooks.OnBudgetExhausted,
		})
		b, err := budgetOrDefault(rc.Budget)
		if err != nil {
			return nil, coreError("Config.Retry.Budget", err)
		}
		rc.Budget = b
		t.budget = rc.Budget
		if err := add(Retry(rc)); err != nil {
			return nil, within(err, "RetryConfig", "Config.Retry")
		}
	}
	if c.Hedge != nil {
		hc := *c.Hedge
		hc.Classifier = c.Classifier
		if t.budget != nil {
			hc.Budget, hc.NoDeposit = t.budget, true
		}
		if err := add(Hedge(hc)); err != nil {
			return nil, within(err, "HedgeConfig", "Config.Hedge")
		}
	}
	if balance != nil {
		if err := add(Balance(*balance)); err != nil {
			return nil, within(err, "BalanceConfig", "Config.Balance")
		}
	}
	if !c.DisableBreaker {
		bc := c.Breaker
		bc.Classifier = c.Classifier
		if bc.Breakers == nil {
			gc := bc.Group
			if user, hook := gc.OnStateChange, c.Hooks.OnBreakerStateChange; hook != nil {
				gc.OnStateChange = func(sc breaker.StateChange) {
					if user != nil {
						user(sc)
					}
					hook(sc)
				}
			}
			g, err := breaker.NewGroup(gc)
			if err != nil {
				return nil, groupError("Config.Breaker.Group", err)
			}
			bc.Breakers = g
		}
		t.breakers = bc.Breakers
		if err := add(Breaker(bc)); err != nil {
			return nil, within(err, "BreakerConfig", "Config.Breaker")
		}
	}
	if !c.DisableLimit {
		lc := c.Limit
		lc.Classifier = c.Classifier
		settings, err := newLimitSettings(lc)
		if err != nil {
			return nil, within(err, "LimitConfig", "Config.Limit")
		}
		settings.onPushback = c.Hooks.OnPushback
		mws = append(mws, func(next http.RoundTripper) http.RoundTripper {
			t.limits = settings.wrap(next)
			return t.limits
		})
	}
	if observed {
		mws = append(mws, countingAttempts(c.Hooks.OnAttemptEnd))
	}
	if !c.DisableAttemptTimeout {
		if err := add(AttemptTimeout(c.AttemptTimeout)); err != nil {
			return nil, within(err, "AttemptTimeout", "Config.AttemptTimeout")
		}
	}
	for i, mw := range c.Attempt {
		if mw == nil {
			return nil, fieldError(fmt.Sprintf("Config.Attempt[%d]", i), "is nil")
		}
	}
	mws = append(mws, c.Attempt...)
	t.rt = Chain(base, mws...)
	return t, nil
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.rt.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the pool that New
// built (or of Base, when it has the method).
func (t *Transport) CloseIdleConnections() {
	if t.pool != nil {
		t.pool.CloseIdleConnections()
		return
	}
	type closeIdler interface{ CloseIdleConnections() }
	if ci, ok := t.rt.(closeIdler); ok {
		ci.CloseIdleConnections()
	}
}

// withDefaults validates c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.TotalTimeout < 0 {
		return c, fieldError("Config.TotalTimeout", "is %v, must be >= 0 (0 means %v)", c.TotalTimeout, DefaultConfig.TotalTimeout)
	}
	if c.AttemptTimeout < 0 {
		return c, fieldError("Config.AttemptTimeout", "is %v, must be >= 0 (0 means %v)", c.AttemptTimeout, DefaultConfig.AttemptTimeout)
	}
	if c.TotalTimeout == 0 {
		c.TotalTimeout = DefaultConfig.TotalTimeout
	}
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = DefaultConfig.AttemptTimeout
	}
	if c.Classifier == nil {
		c.Classifier = DefaultClassifier
	}
	if !c.DisableRetry {
		rc, err := c.Retry.withDefaults()
		if err != nil {
			return c, within(err, "RetryConfig", "Config.Retry")
		}
		c.Retry = rc
	}
	return c, c.checkTimeouts()
}

// checkTimeouts checks that the timeouts, the breaker window and the
// backoff fit together.
func (c Config) checkTimeouts() error {
	attempt := !c.DisableAttemptTimeout
	total := !c.DisableTotalTimeout
	if attempt && total && c.AttemptTimeout > c.TotalTimeout {
		return fieldError("Config.AttemptTimeout", "%v exceeds Config.TotalTimeout %v: no attempt could use its time", c.AttemptTimeout, c.TotalTimeout)
	}
	if attempt && !c.DisableBreaker {
		w := c.Breaker.Group.Breaker.Window
		if w.Kind == breaker.TimeWindow {
			period := w.Period
			if period == 0 {
				period = breaker.DefaultConfig.Window.Period
			}
			// A negative period is the breaker's to refuse, naming it.
			if period > 0 && period/2 < c.AttemptTimeout { // period < 2·AttemptTimeout, without overflow
				return fieldError("Config.Breaker.Group.Breaker.Window.Period", "%v is shorter than twice Config.AttemptTimeout %v: a window must see several attempts to judge a host", period, c.AttemptTimeout)
			}
		}
	}
	if total && !c.DisableRetry {
		if b, ok := c.Retry.Backoff.(backoff.Bounded); ok {
			// The sum stops once it reaches TotalTimeout, whatever
			// MaxAttempts (the verdict is known), and saturates rather
			// than overflow on a huge MaxBackoff.
			n := c.Retry.MaxAttempts - 1
			var waits time.Duration
			i := 0
			for ; i < n && waits < c.TotalTimeout; i++ {
				waits += min(max(b.MaxBackoff(i), 0), math.MaxInt64-waits)
			}
			if waits >= c.TotalTimeout {
				sum := waits.String()
				if i < n {
					sum = "at least " + sum
				}
				return fieldError("Config.Retry.Backoff", "the worst-case backoff of %d retries is %s, not less than Config.TotalTimeout %v: the last retries could never be made",
					n, sum, c.TotalTimeout)
			}
		}
	}
	return nil
}
