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

// Transport is the assembled stack: an http.RoundTripper safe for
// concurrent use, built by New. Use it as an http.Client's Transport.
type Transport struct {
	rt       http.RoundTripper
	pool     *pool.Pool
	base     http.RoundTripper // Config.Base, or nil
	budget   *backoff.Budget
	breakers *breaker.Group
	limits   *Limiter
	balancer *balancer.Balancer
}

var _ http.RoundTripper = (*Transport)(nil)

// New assembles the recommended stack from cfg, validating it first: every
// error is a *ConfigError that matches ErrInvalidConfig (and a core's own
// sentinel, such as limiter.ErrInvalidConfig, when a core refused its part)
// and names the field's path from Config ("Config.Limit.Concurrency.Limit"),
// and nothing is checked later, mid-call. Beyond each stage's own checks, it
// requires Timeout.Attempt ≤ Timeout.Total; a breaker time window of at
// least twice Timeout.Attempt (so that one window sees several attempts);
// and that the retries' worst-case backoff (for strategies that implement
// backoff.Bounded) leaves room for an attempt within Timeout.Total.
func New(cfg Config) (_ *Transport, err error) {
	// Every refusal below names its field; this only keeps a refusal
	// that would not (a bug) matching ErrInvalidConfig.
	defer func() {
		if err != nil && !errors.Is(err, ErrInvalidConfig) {
			err = &ConfigError{Field: "Config", Err: err}
		}
	}()
	if err := cfg.shareRetryAfterCap(); err != nil {
		return nil, err
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Transport{base: c.Base}
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
	var obs *Observer
	if c.Hooks.any() {
		obs = NewObserver(c.Hooks, c.Classifier)
		mws = append(mws, obs.Call())
	}
	if c.Coalesce != nil {
		if err := add(Coalesce(*c.Coalesce)); err != nil {
			return nil, within(err, "CoalesceConfig", "Config.Coalesce")
		}
	}
	var balance *BalanceConfig
	if c.Balance != nil {
		bc := *c.Balance
		if bc.Classifier == nil {
			bc.Classifier = c.Classifier
		}
		b, err := bc.newBalancer("Config.Balance")
		if err != nil {
			return nil, err
		}
		// The Balancer is built: Balance uses it as it is.
		bc = BalanceConfig{Balancer: b, Resolver: bc.Resolver, Host: bc.Host, RewriteHost: bc.RewriteHost, Classifier: bc.Classifier}
		t.balancer, balance = b, &bc
	}
	if !c.Timeout.TotalOff {
		// With the attempt timeout below, each attempt holds the call's
		// context (one context and at most one timer per call): every
		// stage between them is ours, and none uses the context while an
		// attempt runs (Hedge gives each of its attempts a context).
		if err := add(totalTimeoutStage(c.Timeout.Total, !c.Timeout.AttemptOff)); err != nil {
			return nil, within(err, "TotalTimeout", "Config.Timeout.Total")
		}
	}
	if balance != nil {
		// Each call remembers the replicas its attempts used, above
		// Retry and Hedge, so that they can avoid them: just below
		// TotalTimeout, in the call's context (no allocation), and
		// leaving the observe stage fused with TotalTimeout.
		mws = append(mws, BalanceCall())
	}
	if !c.Retry.Off {
		rc := c.Retry // its Classifier is set by withDefaults
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
		if hc.Classifier == nil {
			hc.Classifier = c.Classifier
		}
		if hc.Budget == nil && t.budget != nil {
			// Hedges draw on the retry budget, which Retry credits
			// for each successful call: once.
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
	if !c.Breaker.Off {
		g, err := c.Breaker.newGroup("Config.Breaker", c.Hooks.OnBreakerStateChange)
		if err != nil {
			return nil, err
		}
		t.breakers = g
		classifier := c.Breaker.Classifier
		if classifier == nil {
			classifier = c.Classifier
		}
		// The group is built: Breaker uses it as it is.
		bc := BreakerConfig{
			Group:       g,
			FailFast:    c.Breaker.FailFast,
			Key:         c.Breaker.Key,
			Classifier:  classifier,
			ObserveBody: c.Breaker.ObserveBody,
		}
		if err := add(Breaker(bc)); err != nil {
			return nil, within(err, "BreakerConfig", "Config.Breaker")
		}
	}
	if !c.Limit.Off {
		lc := c.Limit
		if lc.Classifier == nil {
			lc.Classifier = c.Classifier
		}
		if user, hook := lc.OnPushback, c.Hooks.OnPushback; hook != nil {
			lc.OnPushback = func(p Pushback) {
				if user != nil {
					user(p)
				}
				hook(p)
			}
		}
		l, err := NewLimiter(lc)
		if err != nil {
			return nil, within(err, "LimitConfig", "Config.Limit")
		}
		t.limits = l
		mws = append(mws, l.Middleware())
	}
	if obs != nil {
		// The attempt's number rides on its context only for the
		// Attempt middlewares that may read it (AttemptNumber).
		mws = append(mws, countingAttempts(obs.hooks.OnAttemptEnd, obs.classifier, len(c.Attempt) > 0))
	}
	if !c.Timeout.AttemptOff {
		if err := add(AttemptTimeout(c.Timeout.Attempt)); err != nil {
			return nil, within(err, "AttemptTimeout", "Config.Timeout.Attempt")
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
	if ci, ok := t.base.(closeIdler); ok {
		ci.CloseIdleConnections()
	}
}

// withDefaults validates c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	t := &c.Timeout
	if t.Total < 0 {
		return c, fieldError("Config.Timeout.Total", "is %v, must be >= 0 (0 means %v)", t.Total, defaultTotalTimeout)
	}
	if t.Attempt < 0 {
		return c, fieldError("Config.Timeout.Attempt", "is %v, must be >= 0 (0 means %v)", t.Attempt, defaultAttemptTimeout)
	}
	if t.Total == 0 {
		t.Total = defaultTotalTimeout
	}
	if t.Attempt == 0 {
		t.Attempt = defaultAttemptTimeout
	}
	if c.Classifier == nil {
		c.Classifier = DefaultClassifier()
	}
	if !c.Retry.Off {
		if c.Retry.Classifier == nil {
			c.Retry.Classifier = c.Classifier
		}
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
	attempt := !c.Timeout.AttemptOff
	total := !c.Timeout.TotalOff
	if attempt && total && c.Timeout.Attempt > c.Timeout.Total {
		return fieldError("Config.Timeout.Attempt", "%v exceeds Config.Timeout.Total %v: no attempt could use its time", c.Timeout.Attempt, c.Timeout.Total)
	}
	if attempt && !c.Breaker.Off && c.Breaker.Group == nil {
		w := c.Breaker.Window
		if w.Kind == breaker.TimeWindow {
			period := w.Period
			if period == 0 {
				period = breaker.DefaultConfig().Window.Period
			}
			// A negative period is the breaker's to refuse, naming it.
			if period > 0 && period/2 < c.Timeout.Attempt { // period < 2·Attempt, without overflow
				return fieldError("Config.Breaker.Window.Period", "%v is shorter than twice Config.Timeout.Attempt %v: a window must see several attempts to judge a host", period, c.Timeout.Attempt)
			}
		}
	}
	if total && !c.Retry.Off {
		if b, ok := c.Retry.Backoff.(backoff.Bounded); ok {
			// The sum stops once it reaches the total timeout, whatever
			// MaxAttempts (the verdict is known), and saturates rather
			// than overflow on a huge MaxBackoff.
			n := c.Retry.MaxAttempts - 1
			var waits time.Duration
			i := 0
			for ; i < n && waits < c.Timeout.Total; i++ {
				waits += min(max(b.MaxBackoff(i), 0), math.MaxInt64-waits)
			}
			if waits >= c.Timeout.Total {
				sum := waits.String()
				if i < n {
					sum = "at least " + sum
				}
				return fieldError("Config.Retry.Backoff", "the worst-case backoff of %d retries is %s, not less than Config.Timeout.Total %v: the last retries could never be made",
					n, sum, c.Timeout.Total)
			}
		}
	}
	return nil
}

// passThrough is the middleware of a stage that is Off.
func passThrough(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		return http.DefaultTransport
	}
	return next
}
