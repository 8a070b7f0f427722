package limiter

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// ThrottleConfig describes a [Throttle]; [NewThrottle] builds one. Every
// zero field means its default, so the zero ThrottleConfig is the Google
// SRE book's: K = 2 over the last 2 minutes. A ThrottleConfig is a plain
// value: copy it, change it, and pass it to NewThrottle.
type ThrottleConfig struct {
	// K is the multiplier of accepts: the Throttle starts rejecting once
	// requests exceed K·accepts in the window. Zero means 2, the book's
	// suggestion. It must be at least 1 (below 1, a Throttle would reject
	// requests to a healthy backend). Lower is more aggressive: 1.1 sheds
	// as soon as a tenth of requests are refused, while 2 lets twice the
	// backend's accepts through, wasting some of its work on rejections
	// but adapting faster when it recovers.
	K float64

	// Window is how far back requests and accepts are counted. Zero means
	// 2 minutes, the book's; negative is an error.
	Window time.Duration

	// Buckets is the number of buckets the window slides by. Zero means
	// 20. It must be at most 1000 (each bucket is memory, per host when
	// the transport keeps a Throttle per host) and no more than the
	// nanoseconds in Window; negative is an error. The window holds
	// between Window−Window/Buckets and Window of history.
	Buckets int

	// Rand returns a random number in [0, 1), drawn for each request
	// while the rejection probability is positive. Nil means
	// math/rand/v2.Float64. Set it to a seeded source to make a run's
	// rejections repeatable (a simulation, a test); it must be safe for
	// concurrent use when the Throttle is shared.
	Rand func() float64

	// now is the clock: time.Now, or a package test's manual clock (set
	// through export_test.go). Tests of code that uses a Throttle drive
	// time with testing/synctest.
	now func() time.Time
}

// Throttle defaults.
const (
	defaultK       = 2
	defaultWindow  = 2 * time.Minute
	defaultBuckets = 20
	// maxThrottleBuckets bounds Buckets, as the breaker's time window
	// bounds its own: finer slides gain nothing, and a count such as
	// MaxInt32 would try to allocate tens of gigabytes.
	maxThrottleBuckets = 1000
)

// withDefaults fills the zero fields of c and validates the result.
func (c ThrottleConfig) withDefaults() (ThrottleConfig, error) {
	if c.K != 0 && !(c.K >= 1 && !math.IsInf(c.K, 0)) {
		return c, invalid("K %v must be at least 1", c.K)
	}
	if c.K == 0 {
		c.K = defaultK
	}
	if c.Window < 0 {
		return c, invalid("Window %v is negative", c.Window)
	}
	if c.Window == 0 {
		c.Window = defaultWindow
	}
	if c.Buckets < 0 {
		return c, invalid("Buckets %d is negative", c.Buckets)
	}
	if c.Buckets > maxThrottleBuckets {
		return c, invalid("Buckets %d is more than %d", c.Buckets, maxThrottleBuckets)
	}
	if c.Buckets == 0 {
		c.Buckets = defaultBuckets
	}
	if time.Duration(c.Buckets) > c.Window {
		return c, invalid("Buckets %d is more than the nanoseconds of Window %v", c.Buckets, c.Window)
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	return c, nil
}

// Throttle is client-side adaptive throttling, from the Google SRE book
// (Beyer et al., "Site Reliability Engineering", O'Reilly 2016, chapter
// 21, "Handling Overload"): a client that sees its backend refuse more
// and more of its requests (because it is overloaded, or has run out of
// quota) starts rejecting requests itself, before sending them, with
// probability
//
//	P(reject) = max(0, (requests − K·accepts) / (requests + 1))
//
// where requests counts the requests the application attempted (rejected
// locally or not) and accepts those the backend accepted, over the last
// Window. While the backend accepts everything, P is 0. When it refuses
// everything, P approaches 1 but stays below it, so a trickle of requests
// still reaches the backend and sees it recover.
//
//	if err := t.Allow(); err != nil {
//		return err // errors.Is(err, limiter.ErrLimited); not sent
//	}
//	resp, err := send()
//	if !overloaded(resp, err) { // not a 429, a 503, a timeout…
//		t.Accepted()
//	}
//
// Recovery from a long outage is slow, by design of the formula: the
// requests the Throttle rejects count as requests, so once the backend
// accepts everything again, P only falls to about 2P−1 (with K = 2) per
// Window: the shortfall 1−P doubles each window. In this package's tests,
// after a 10-second total outage at 100 requests per second, P took about
// 12 minutes (6 windows) to fall below 0.1. A shorter Window recovers
// faster (and forgets an outage sooner); a larger K too (and sheds less).
//
// Use one Throttle per backend (per host). A Throttle holds a ring of
// Buckets counters behind a mutex; Allow, Accepted and RejectProbability
// take it once and read the clock once, and do not allocate (a rejection
// allocates its error).
//
// Create a Throttle with [NewThrottle]; the zero Throttle is not usable.
// It is safe for concurrent use, starts no goroutine and needs no Close.
type Throttle struct {
	// Read-only after NewThrottle.
	k      float64
	window time.Duration
	width  int64            // bucket width, nanoseconds
	now    func() time.Time // nil: time.Since(base)
	rand   func() float64
	base   time.Time

	mu       sync.Mutex
	buckets  []throttleBucket // ring; bucket e is buckets[e%len]
	cur      int64            // the newest bucket's number (nanoseconds since base / width)
	requests int64            // sums over the ring
	accepts  int64
}

type throttleBucket struct{ requests, accepts int64 }

// NewThrottle returns a [Throttle] for c. A bad field gives an error
// wrapping [ErrInvalidConfig] that names it.
func NewThrottle(c ThrottleConfig) (*Throttle, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Throttle{
		k:       c.K,
		window:  c.Window,
		width:   int64(c.Window) / int64(c.Buckets),
		now:     c.now,
		rand:    c.Rand,
		buckets: make([]throttleBucket, c.Buckets),
	}
	if t.now != nil {
		t.base = t.now()
	} else {
		t.base = time.Now()
	}
	return t, nil
}

// Allow counts a request and decides whether to send it: nil to send it,
// or, with probability RejectProbability, an error matching [ErrLimited]
// that says the probability. Report the backend's acceptance with
// Accepted.
func (t *Throttle) Allow() error {
	now := t.since()
	t.mu.Lock()
	b := t.advance(now)
	req, acc := t.requests, t.accepts
	b.requests++
	t.requests++
	t.mu.Unlock()
	p := t.probability(req, acc)
	if p == 0 || t.rand() >= p {
		return nil
	}
	return &limitedError{reason: reasonThrottle, p: p, n: int(req), accepts: int(acc), window: t.window}
}

// Accepted counts a request that the backend accepted: any response that
// is not an overload signal (a 429 or 503, a timeout, a refused
// connection). Call it after a successful Allow, at most once per request.
func (t *Throttle) Accepted() {
	now := t.since()
	t.mu.Lock()
	b := t.advance(now)
	b.accepts++
	t.accepts++
	t.mu.Unlock()
}

// RejectProbability returns the probability with which Allow rejects a
// request now.
func (t *Throttle) RejectProbability() float64 {
	now := t.since()
	t.mu.Lock()
	t.advance(now)
	req, acc := t.requests, t.accepts
	t.mu.Unlock()
	return t.probability(req, acc)
}

// probability is the SRE book's formula.
func (t *Throttle) probability(requests, accepts int64) float64 {
	return max(0, (float64(requests)-t.k*float64(accepts))/float64(requests+1))
}

// since returns the nanoseconds since t.base by t's clock (without an
// injected clock, the monotonic clock alone).
func (t *Throttle) since() int64 {
	if t.now == nil {
		return int64(time.Since(t.base))
	}
	return int64(t.now().Sub(t.base))
}

// advance slides the window to now (nanoseconds since base), emptying the
// buckets that fell out of it, and returns the current bucket. A time
// earlier than the newest bucket (a clock that went back) counts in the
// newest. Requires t.mu held.
func (t *Throttle) advance(now int64) *throttleBucket {
	nb := int64(len(t.buckets))
	if e := max(now, 0) / t.width; e > t.cur {
		for i := max(t.cur+1, e-nb+1); i <= e; i++ {
			b := &t.buckets[i%nb]
			t.requests -= b.requests
			t.accepts -= b.accepts
			*b = throttleBucket{}
		}
		t.cur = e
	}
	return &t.buckets[t.cur%nb]
}
