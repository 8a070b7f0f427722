package backoff

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// BudgetConfig configures a [Budget]; [NewBudget] builds one. Every zero
// field means its default, so the zero BudgetConfig is
// [DefaultBudgetConfig].
type BudgetConfig struct {
	// Ratio is the number of tokens deposited per successful call, and so
	// the fraction of recent successes that may be retried. Zero means 0.2.
	// It must be in (0, 1]. Tokens are held with a resolution of 1e-6.
	Ratio float64

	// MaxTokens is the bucket's capacity: the most retries that may be
	// made in a burst. The bucket starts full, so a cold client may retry
	// a little. Zero means 10. It must be >= 1 and at most 1e12.
	MaxTokens float64

	// MinPerSecond is the floor: tokens credited per second of wall time
	// whatever the traffic, so a quiet client can still retry. Zero means
	// 1; negative, NaN or infinite is an error. It is ignored when NoFloor
	// is set.
	MinPerSecond float64

	// NoFloor turns the floor off: the bucket is then refilled by
	// successes only, and a total outage stops retries once the initial
	// MaxTokens are spent.
	NoFloor bool

	// now returns the current time; the floor's refill is measured with
	// it (by TryRetry and Available, never by Success): time.Now, or a
	// package test's manual clock (set through export_test.go). Tests of
	// code that uses a Budget drive time with testing/synctest.
	now func() time.Time
}

// DefaultBudgetConfig returns the configuration that the zero [BudgetConfig]
// stands for: retries up to 20 % of successes, a burst of 10, and a floor
// of one retry per second.
func DefaultBudgetConfig() BudgetConfig {
	return BudgetConfig{Ratio: 0.2, MaxTokens: 10, MinPerSecond: 1}
}

// tokenUnit is one token in the fixed-point representation.
const tokenUnit = 1_000_000

// maxBudgetTokens bounds MaxTokens so that MaxTokens·tokenUnit plus one
// deposit fits an int64 comfortably.
const maxBudgetTokens = 1e12

// Budget is a retry budget: a token bucket that caps retries at a fraction
// of recent successful calls plus a small time-based floor, so that
// retrying cannot multiply the load on a failing server.
//
// The design is Finagle's RetryBudget (a deposit per call, one token
// withdrawn per retry, a floor of retries per second) with two changes:
// deposits are made on successful calls only (as in gRPC retry
// throttling, gRFC A6), and a retry that succeeds gets its token back
// ([Budget.Refund], as in the AWS SDKs' retry quota), so the bucket pays
// for failed retries only. Why:
//
//   - Under a total outage nothing is deposited, so the load amplification
//     (attempts per call) tends to 1 + floor/call-rate, about 1.0, instead
//     of Finagle's 1 + Ratio (every failing call still deposits there).
//   - Under a partial failure retries keep working: failed retries may
//     reach Ratio of the successes. With Ratio 0.2 and three attempts,
//     random errors of 30 % need 0.39 retries per call, of which 0.12
//     fail, against 0.19 tokens deposited: every call gets its retries.
//     Without the refund only 0.19 of the 0.39 could be made (84 % of
//     calls succeeding instead of 97 %). gRPC throttling (failure −1,
//     success +0.1, retries off at half the bucket) drains its bucket as
//     soon as errors exceed 0.1/1.1 ≈ 9 % and switches retries off
//     entirely.
//
// A third change is for fleets: failed retries in a row cost more and
// more ([Budget.Failed]: 1, 1, 2, 4, 8 … tokens, into a bounded debt), so
// a client whose server is down stops retrying after about five retries
// instead of retrying at the floor's rate for as long as the outage lasts.
//
// Call [Budget.Success] after every successful call (or attempt),
// [Budget.TryRetry] before every retry (do not retry when it returns false;
// wrap [ErrBudgetExhausted] to report it), [Budget.Refund] when a retry
// succeeded and [Budget.Failed] when it failed. A failed first attempt
// costs nothing; a failed retry costs one token, more in a streak.
//
// Tokens are held as fixed-point integers in an atomic; Success, Refund
// and Available are lock-free, and TryRetry is too unless the floor has
// accrued a token since the last credit (the credit takes a mutex, so that
// a caller never misses a credit another is making); all are safe for
// concurrent use. Success, the
// hot path, never allocates, never reads the clock and, when the bucket is
// full, is a single atomic load. Share one Budget per downstream service
// (or host), not per request.
//
// Create a Budget with [NewBudget] or [Unlimited]. The zero Budget has no
// tokens and no floor, so it refuses every retry. A nil *Budget must not be
// used, and a Budget must not be copied after first use.
type Budget struct {
	// Read-only after construction.
	max       int64   // capacity, in units
	deposit   int64   // units per success
	perNano   float64 // floor, in units per nanosecond; 0 means no floor
	now       func() time.Time
	start     time.Time // origin of lastRefill; keeps the monotonic reading
	unlimited bool

	_      [64]byte     // keep the hot word off the read-only fields' cache line
	tokens atomic.Int64 // current level, in units, in [0, max]
	_      [56]byte     // and off lastRefill's, which TryRetry writes
	// lastRefill is the time of the last floor credit, in nanoseconds
	// since start.
	lastRefill atomic.Int64
	refillMu   sync.Mutex // serialises floor credits
	// streak counts the retries that failed (Failed) since the last
	// successful call: the next failed retry costs 2^streak tokens.
	streak atomic.Int64
	_      [40]byte
}

// NewBudget returns a [Budget] for c, starting full. It fills the zero
// fields of c with the values of [DefaultBudgetConfig], then validates
// them: Ratio outside (0, 1], MaxTokens below 1 (or above 1e12, or not
// finite), or a negative, NaN or infinite MinPerSecond gives an error
// wrapping [ErrInvalidConfig] that names the field and its value.
func NewBudget(c BudgetConfig) (*Budget, error) {
	if c.Ratio == 0 {
		c.Ratio = DefaultBudgetConfig().Ratio
	}
	if !(c.Ratio > 0 && c.Ratio <= 1) {
		return nil, invalid("Ratio %v must be in (0, 1]", c.Ratio)
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = DefaultBudgetConfig().MaxTokens
	}
	if !(c.MaxTokens >= 1 && c.MaxTokens <= maxBudgetTokens) {
		return nil, invalid("MaxTokens %v must be in [1, 1e12]", c.MaxTokens)
	}
	if c.NoFloor {
		c.MinPerSecond = 0
	} else {
		if c.MinPerSecond == 0 {
			c.MinPerSecond = DefaultBudgetConfig().MinPerSecond
		}
		if !(c.MinPerSecond >= 0) || math.IsInf(c.MinPerSecond, 1) {
			return nil, invalid("MinPerSecond %v must be a finite number >= 0", c.MinPerSecond)
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	b := &Budget{
		max:     int64(math.Round(c.MaxTokens * tokenUnit)),
		deposit: max(1, int64(math.Round(c.Ratio*tokenUnit))),
		perNano: c.MinPerSecond * tokenUnit / float64(time.Second),
		now:     c.now,
		start:   c.now(),
	}
	b.tokens.Store(b.max)
	return b, nil
}

// Unlimited returns a [Budget] that allows every retry: TryRetry always
// returns true, Success does nothing and Available returns +Inf. Use it to
// turn the budget off, e.g. to compare with plain max-attempts retrying.
func Unlimited() *Budget {
	return &Budget{unlimited: true} // max 0: Success returns after one load
}

// Success records a successful call, depositing Ratio tokens up to
// MaxTokens. Call it after every successful call.
//
// It is the hot path: it does not allocate or read the clock, and when the
// bucket is full it is a single atomic load, so cores calling it together
// do not contend on the cache line.
func (b *Budget) Success() {
	for {
		cur := b.tokens.Load()
		if cur >= b.max {
			return
		}
		// Not full: the rare path, where a success also ends a streak of
		// failed retries and forgives a debt (the server answers again:
		// what its outage cost says nothing about the next retry).
		if b.streak.Load() != 0 {
			b.streak.Store(0)
		}
		next := min(max(cur, 0)+b.deposit, b.max)
		if b.tokens.CompareAndSwap(cur, next) {
			return
		}
	}
}

// Refund gives back the token of a retry that succeeded: a retry that
// works pays for itself, as a successful retry refunds its cost in the
// AWS SDKs' retry quota. Only failing retries drain the bucket then, so
// random errors keep getting the retries that cure them (at 30 % errors,
// three attempts cost 0.12 tokens per call, under the 0.19 that the
// successes deposit), while a total outage, where every retry fails,
// still empties it. Call it once per successful retry, after Success; it
// never lifts the bucket above MaxTokens.
func (b *Budget) Refund() {
	if b.unlimited {
		return
	}
	if b.streak.Load() != 0 {
		b.streak.Store(0) // a retry worked: the streak of failed ones is over
	}
	for {
		cur := b.tokens.Load()
		if cur >= b.max {
			return
		}
		next := min(cur+tokenUnit, b.max)
		if b.tokens.CompareAndSwap(cur, next) {
			return
		}
	}
}

// Failed records that a retry failed (it was made, and the server's
// answer was a failure). It charges more for each failed retry in a row:
// the retry itself cost one token (TryRetry), and Failed adds 2^(n−2) − 1
// for the n-th failed retry since the last successful call (n ≥ 2), so the
// retries of a streak cost 1, 1, 2, 4, 8 … tokens (at most 1+MaxTokens
// each): a fresh bucket of 10 still gives one call its five retries. The bucket
// may fall into a debt of up to MaxTokens, which the floor and later
// successes repay; a successful call (Success, when the bucket is not
// full) ends the streak and forgives the debt, and a successful retry
// (Refund) ends the streak.
//
// Why: a bucket of MaxTokens lets every client of a fleet make MaxTokens
// failed retries when its server goes down, and the floor one a second
// after that, however long the outage lasts. A thousand clients that each
// retry into a dead server multiply its load, the retries' whole purpose
// lost. With the doubling, each client spends its bucket on about five
// retries, then one retry per MaxTokens+1 seconds of floor. Under random
// errors a success comes between failed retries (at 30 % errors, nine
// calls in ten succeed at once), so the streak seldom passes one and
// retries cost what they did. Calling Failed is optional: a Budget whose
// user never calls it charges one token per retry, as before.
func (b *Budget) Failed() {
	if b.unlimited {
		return
	}
	n := b.streak.Add(1) // this retry is the n-th failure of the streak
	extra := int64(b.max)
	if n < 40 {
		extra = min(extra, (int64(1)<<max(n-2, 0)-1)*tokenUnit)
	}
	if extra <= 0 {
		return
	}
	for {
		cur := b.tokens.Load()
		next := max(cur-extra, -b.max)
		if next == cur || b.tokens.CompareAndSwap(cur, next) {
			return
		}
	}
}

// TryRetry reports whether a retry may be made, and if so withdraws one
// token. It first credits the floor: MinPerSecond tokens per second elapsed
// since the last credit, up to MaxTokens. It returns false when less than
// one token is left; the caller should then give up rather than retry.
func (b *Budget) TryRetry() bool {
	if b.unlimited {
		return true
	}
	b.refill()
	for {
		cur := b.tokens.Load()
		if cur < tokenUnit {
			return false
		}
		if b.tokens.CompareAndSwap(cur, cur-tokenUnit) {
			return true
		}
	}
}

// Available returns the current number of tokens, including the floor
// credit accrued since the last TryRetry (which it does not store), for
// metrics: negative while failed retries have left a debt (see Failed). It returns +Inf for an Unlimited budget.
func (b *Budget) Available() float64 {
	if b.unlimited {
		return math.Inf(1)
	}
	cur := b.tokens.Load()
	if b.perNano > 0 {
		elapsed := b.now().Sub(b.start).Nanoseconds() - b.lastRefill.Load()
		cur += b.units(elapsed)
		cur = min(cur, b.max)
	}
	return float64(cur) / tokenUnit
}

// refill credits the floor for the time elapsed since the last credit.
func (b *Budget) refill() {
	if b.perNano <= 0 {
		return
	}
	now := b.now().Sub(b.start).Nanoseconds()
	if b.units(now-b.lastRefill.Load()) <= 0 {
		// No time passed (or the clock went back), or less than one unit
		// accrued: keep lastRefill, so the fraction is not lost.
		return
	}
	// Under the lock, the credit lands before lastRefill moves: a caller
	// that sees the new lastRefill sees the tokens, and one that saw the
	// old waits here for them. (With a compare-and-swap of lastRefill
	// first, a caller descheduled before its credit left the others to
	// find neither time to credit nor tokens: they were refused retries
	// the floor had granted.)
	b.refillMu.Lock()
	defer b.refillMu.Unlock()
	add := b.units(now - b.lastRefill.Load())
	if add <= 0 {
		return // another caller credited it meanwhile
	}
	b.add(add)
	b.lastRefill.Store(now)
}

// units converts elapsed nanoseconds of floor into token units, capped at
// twice the capacity (enough to lift the deepest debt to a full bucket) so
// the conversion cannot overflow.
func (b *Budget) units(elapsed int64) int64 {
	if elapsed <= 0 {
		return 0
	}
	u := float64(elapsed) * b.perNano
	if u >= float64(2*b.max) {
		return 2 * b.max
	}
	return int64(u)
}

// add deposits units, capped at the capacity.
func (b *Budget) add(units int64) {
	for {
		cur := b.tokens.Load()
		if cur >= b.max {
			return
		}
		if b.tokens.CompareAndSwap(cur, min(cur+units, b.max)) {
			return
		}
	}
}
