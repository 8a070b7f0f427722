package transport

import (
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// RetryConfig configures Retry. The zero value gives the recommended
// defaults; each field says what its zero value means.
type RetryConfig struct {
	// Off sends every request once: New leaves the stage out, and Retry
	// returns a middleware that passes requests through.
	Off bool

	// MaxAttempts is the most attempts one call makes, the first included.
	// Zero means 4 (three retries: at 30 % random errors, 99 % of calls
	// succeed; the retry budget keeps an outage from multiplying the
	// load). One disables retries. Negative, or more than 100, is an
	// error: past a handful, retries multiply an outage's load for nothing
	// (gRPC caps at 5), and the bound keeps New's worst-case backoff check
	// short.
	MaxAttempts int

	// Backoff gives the wait before each retry. Nil means exponential
	// from 50ms to 10s with full jitter (DefaultRetryBackoff): quick
	// enough that three retries of a random error fit in 300ms at p99;
	// the budget, not the backoff, is what spares a failing backend.
	Backoff backoff.Strategy

	// Budget caps retries as a fraction of recent successful calls, so an
	// outage does not multiply the load on the backend. Nil means a budget
	// of this middleware's own, built from backoff.DefaultBudgetConfig.
	// Share one *backoff.Budget between middlewares to pool their budget,
	// or pass backoff.Unlimited() to turn the cap off (not recommended).
	Budget *backoff.Budget

	// Classifier judges each attempt. Nil means, in New,
	// Config.Classifier, and otherwise DefaultClassifier.
	Classifier Classifier

	// MaxRetryAfter caps a server's Retry-After: a longer request is
	// shortened to this. Zero means 30s. Negative is an error. In New's
	// stack it is also the pushback gate's cap (Config.Limit.MaxPause):
	// set either, and it caps both, so that a retry never meets the gate
	// still shut; setting both to different values is an error.
	MaxRetryAfter time.Duration

	// Hooks observe the retry loop. Every hook is optional.
	Hooks RetryHooks
}

// maxAttempts bounds RetryConfig.MaxAttempts.
const maxAttempts = 100

// DefaultRetryConfig returns the values that the zero RetryConfig stands
// for (Budget aside: a budget is built per middleware), a fresh copy each
// time.
func DefaultRetryConfig() RetryConfig {
	return RetryConfig{
		MaxAttempts:   defaultMaxAttempts,
		Backoff:       defaultRetryBackoff,
		MaxRetryAfter: defaultMaxRetryAfter,
	}
}

const (
	// defaultMaxAttempts is RetryConfig.MaxAttempts's default.
	defaultMaxAttempts = 4
	// defaultMaxRetryAfter is RetryConfig.MaxRetryAfter's default.
	defaultMaxRetryAfter = 30 * time.Second
)

// DefaultRetryBackoff returns the backoff of a RetryConfig whose Backoff
// is nil: exponential from 50ms, doubling up to 10s, with full jitter
// (AWS's "Exponential Backoff and Jitter"). It is stateless and safe to
// share; every call returns the same one.
func DefaultRetryBackoff() backoff.Strategy { return defaultRetryBackoff }

// defaultRetryBackoff is DefaultRetryBackoff's strategy.
var defaultRetryBackoff = mustBackoff(backoff.Config{
	Base:       50 * time.Millisecond,
	Max:        10 * time.Second,
	Multiplier: 2,
	Jitter:     backoff.FullJitter,
})

func mustBackoff(c backoff.Config) backoff.Strategy {
	s, err := backoff.New(c)
	if err != nil {
		panic(err) // a constant config: cannot fail
	}
	return s
}

// withDefaults validates c and fills in its zero fields.
func (c RetryConfig) withDefaults() (RetryConfig, error) {
	if c.MaxAttempts < 0 || c.MaxAttempts > maxAttempts {
		return c, fieldError("RetryConfig.MaxAttempts", "is %d, must be in [0, %d] (0 means %d)",
			c.MaxAttempts, maxAttempts, defaultMaxAttempts)
	}
	if c.MaxRetryAfter < 0 {
		return c, fieldError("RetryConfig.MaxRetryAfter", "is %v, must be >= 0 (0 means %v)",
			c.MaxRetryAfter, defaultMaxRetryAfter)
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = defaultMaxRetryAfter
	}
	if c.Backoff == nil {
		c.Backoff = defaultRetryBackoff
	}
	b, err := budgetOrDefault(c.Budget)
	if err != nil {
		return c, err
	}
	c.Budget = b
	if c.Classifier == nil {
		c.Classifier = DefaultClassifier()
	}
	return c, nil
}

// budgetOrDefault returns b, or, when it is nil, a budget of its own built
// from backoff.DefaultBudgetConfig.
func budgetOrDefault(b *backoff.Budget) (*backoff.Budget, error) {
	if b != nil {
		return b, nil
	}
	return backoff.NewBudget(backoff.DefaultBudgetConfig())
}
