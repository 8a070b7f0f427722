package limiter

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/internal/keymap"
)

// RateConfig describes a [Rate]; [NewRate] builds one. A RateConfig is a
// plain value: copy it, change it, and pass it to NewRate.
//
// There is no default rate: Limit must be set, since no number of
// requests per second suits every destination. The other zero fields mean
// their defaults.
type RateConfig struct {
	// Limit is the sustained rate allowed per key, in events per second
	// (rate.Every(d) converts an interval). It must be set: zero, negative
	// and NaN are errors. rate.Inf turns the rate limit off (no token
	// bucket, no mutex): only server pushback ([Rate.Pause]) applies.
	Limit rate.Limit

	// Burst is the size of each key's token bucket: how many calls may go
	// at once after a quiet period. Zero means max(1, ⌈Limit⌉), one
	// second's worth of calls. Negative is an error. It is not used when
	// Limit is rate.Inf.
	Burst int

	// MaxKeys is the most keys the Rate tracks. Zero means 1024; negative
	// is an error. A new key beyond it evicts the least recently used key
	// of a sample (see [Rate]), which forgets its tokens and its pause.
	MaxKeys int

	// MaxPause caps a server-requested pause: [Rate.Pause] never pauses a
	// key for longer than MaxPause from now, whatever the server asked, so
	// a bad Retry-After cannot silence a host for hours. Zero means 30s;
	// negative is an error.
	MaxPause time.Duration
}

// Rate defaults.
const (
	defaultMaxKeys  = 1024
	defaultMaxPause = 30 * time.Second
)

// withDefaults fills the zero fields of c and validates the result.
func (c RateConfig) withDefaults() (RateConfig, error) {
	switch l := float64(c.Limit); {
	case l == 0:
		return c, invalid("Limit is zero: set a rate in events per second, or rate.Inf for pushback only")
	case math.IsNaN(l) || l < 0:
		return c, invalid("Limit %v must be positive", l)
	}
	if c.Burst < 0 {
		return c, invalid("Burst %d is negative", c.Burst)
	}
	if c.Burst == 0 {
		c.Burst = int(min(max(1, math.Ceil(float64(c.Limit))), math.MaxInt32))
	}
	if c.MaxKeys < 0 {
		return c, invalid("MaxKeys %d is negative", c.MaxKeys)
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = defaultMaxKeys
	}
	if c.MaxPause < 0 {
		return c, invalid("MaxPause %v is negative", c.MaxPause)
	}
	if c.MaxPause == 0 {
		c.MaxPause = defaultMaxPause
	}
	return c, nil
}

// Rate is a rate limiter per key (per host, per Twirp method): a token
// bucket of [golang.org/x/time/rate] for each key, and a pause that a
// server can impose on a key by answering 429 or 503 with Retry-After.
//
//	r, err := limiter.NewRate(limiter.RateConfig{Limit: 100}) // 100/s per host, bursts of 100
//	…
//	if err := r.Allow(host); err != nil {
//		return err // errors.Is(err, limiter.ErrLimited); nothing was sent
//	}
//	resp, err := send()
//	if retryAfter, pushback := …; pushback {
//		r.Pause(host, time.Now().Add(retryAfter))
//	}
//
// [Rate.Allow] answers at once; [Rate.Wait] waits for a token (and for the
// end of a pause) within the context's deadline, and fails at once when
// the wait would not fit in it.
//
// # Keys
//
// Each key gets its own bucket on first use, full. Lookups of existing
// keys are a hash and a probe of a lock-free table: they neither lock nor
// allocate. Creating a key locks a shard of the keys and costs the same
// whatever their number, eviction included, so a caller that meets new
// keys all the time pays little more than for known ones. When a new key
// would take the Rate beyond MaxKeys, the least recently used key of a
// sample of 5 keys (of all of them while MaxKeys is 5 or less) is evicted
// (among equally old keys, one that is not paused first): an
// approximation of evicting the least recently used key of all, at a cost
// that does not grow with MaxKeys. Age is counted in key insertions, not
// in time: eviction picks the key whose last use (or insertion) came
// before the most insertions, which costs a call two atomic loads, and a
// store only on its key's first use after an insertion. An evicted key's
// next call creates a new, full bucket, and its pause is forgotten: size
// MaxKeys above the number of keys in use.
//
// # Cost
//
// Allow adds to x/time/rate's own Allow (a mutex and a clock read) a map
// lookup, an atomic load to check for a pause (the clock is read only
// while a pause is set), and an atomic counter increment. It does not
// allocate, rejections included, except while a key is paused. With
// Limit rate.Inf there is no bucket and no mutex at all. A token bucket
// behind a mutex does not scale with cores (all the callers of one key
// take turns): this is why the module sets no rate limit by default.
//
// Create a Rate with [NewRate]; the zero Rate is not usable. It is safe for
// concurrent use. It starts no goroutine and needs no Close.
type Rate struct {
	// Read-only after NewRate.
	limit    rate.Limit
	burst    int
	maxKeys  int
	maxPause time.Duration
	base     time.Time // origin of the pause times; holds the monotonic reading

	keys   *keymap.Map[string, *rateKey]
	epoch  atomic.Uint64 // grows by 2 with each new key; see ratekeys.go
	pauses atomic.Uint64 // RateStats.Pauses

	mu        sync.Mutex // guards the fields below
	retired   RateStats  // counts of evicted keys
	evictions uint64
}

// rateKey is the state of one key.
type rateKey struct {
	lim    *rate.Limiter // nil when the limit is rate.Inf
	err    *limitedError // the shared rejection of the rate limit
	paused atomic.Int64  // end of the pause, in nanoseconds since Rate.base; 0: none
	seen   atomic.Uint64 // the key set's epoch when the key was last used

	allowed, rejected, waited, canceled atomic.Uint64
}

// NewRate returns a [Rate] for c. A bad field gives an error wrapping
// [ErrInvalidConfig] that names it.
func NewRate(c RateConfig) (*Rate, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Rate{
		limit:    c.Limit,
		burst:    c.Burst,
		maxKeys:  c.MaxKeys,
		maxPause: c.MaxPause,
		base:     time.Now(),
	}
	r.epoch.Store(2)
	r.keys = r.newKeys()
	return r, nil
}

// since returns the nanoseconds since r.base, by the monotonic clock.
func (r *Rate) since() int64 { return int64(time.Since(r.base)) }

// Allow reports whether a call for key may go now: nil if it may (and a
// token is taken), an error matching [ErrLimited] if the key is paused
// or out of tokens. It never waits.
func (r *Rate) Allow(key string) error {
	k := r.get(key)
	if p := k.paused.Load(); p != 0 && r.stillPaused(k, p) {
		k.rejected.Add(1)
		return r.pausedError(key, p)
	}
	if k.lim != nil && !k.lim.Allow() {
		k.rejected.Add(1)
		return k.err
	}
	k.allowed.Add(1)
	return nil
}

// stillPaused reports whether the pause p of k is still on, and clears it
// if it is over, so that later calls do not read the clock.
func (r *Rate) stillPaused(k *rateKey, p int64) bool {
	if r.since() < p {
		return true
	}
	k.paused.CompareAndSwap(p, 0)
	return false
}

func (r *Rate) pausedError(key string, p int64) *limitedError {
	return &limitedError{reason: reasonPaused, key: key, until: r.base.Add(time.Duration(p))}
}

// Wait waits until a call for key may go: until the end of its pause, if
// it is paused, then until a token is available, and takes the token. It
// returns nil when the call may go.
//
// When the wait would end after ctx's deadline, Wait fails at once (it
// does not wait in vain) with an error that matches both [ErrLimited] and
// context.DeadlineExceeded. When ctx ends while Wait waits (or before), the
// error matches ctx.Err() (and the context's cause), not ErrLimited; a token
// reserved for the call is given back.
//
// A pause that is extended while Wait waits for it holds it longer; a
// pause set while it waits for a token holds it too (the token is kept).
func (r *Rate) Wait(ctx context.Context, key string) error {
	k := r.get(key)
	if ctx.Err() != nil {
		k.canceled.Add(1)
		return waitError(ctx, key, false, 0)
	}
	w := waiter{r: r, k: k, key: key, ctx: ctx}
	if err := w.pause(); err != nil {
		return err
	}
	if k.lim != nil {
		now := time.Now()
		res := k.lim.ReserveN(now, 1) // always OK: Burst ≥ 1
		if d := res.DelayFrom(now); d > 0 {
			if dl, ok := ctx.Deadline(); ok && dl.Sub(now) < d {
				res.CancelAt(now)
				k.rejected.Add(1)
				return &limitedError{
					reason: reasonRate, key: key, limit: r.limit, burst: r.burst,
					deadline: true, wait: d, left: max(dl.Sub(now), 0),
				}
			}
			if err := w.sleep(d); err != nil {
				res.Cancel()
				return err
			}
		}
	}
	if err := w.pause(); err != nil {
		return err
	}
	k.allowed.Add(1)
	return nil
}

// waiter is the state of one Wait.
type waiter struct {
	r       *Rate
	k       *rateKey
	key     string
	ctx     context.Context
	started bool      // whether it has waited yet
	start   time.Time // when it started waiting
}

// pause waits out the key's pause, if any, and its extensions.
func (w *waiter) pause() error {
	for {
		p := w.k.paused.Load()
		if p == 0 {
			return nil
		}
		now := w.r.since()
		if now >= p {
			w.k.paused.CompareAndSwap(p, 0)
			return nil
		}
		d := time.Duration(p - now)
		if dl, ok := w.ctx.Deadline(); ok {
			if left := time.Until(dl); left < d {
				w.k.rejected.Add(1)
				e := w.r.pausedError(w.key, p)
				e.deadline, e.wait, e.left = true, d, max(left, 0)
				return e
			}
		}
		if err := w.sleep(d); err != nil {
			return err
		}
	}
}

// sleep waits for d or the end of the context.
func (w *waiter) sleep(d time.Duration) error {
	if !w.started {
		w.started, w.start = true, time.Now()
		w.k.waited.Add(1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-w.ctx.Done():
		w.k.canceled.Add(1)
		return waitError(w.ctx, w.key, true, time.Since(w.start))
	}
}

// Pause pauses key until the given time, as a server asks with a 429 or
// 503 response and a Retry-After header: until then, every Allow for key
// fails with an error matching [ErrLimited] that says until when, and every
// Wait waits for the end (or fails at once if its deadline is sooner).
//
// The pause ends at most MaxPause from now, whatever until says. A pause
// that ends later than the current one extends it; one that ends sooner
// does not shorten it. An until in the past does nothing. Pausing a key
// that has not been used creates it (which may evict another).
//
// until is compared with the monotonic clock when it has a monotonic
// reading (time.Now().Add(d) does), with the wall clock otherwise (a time
// parsed from an HTTP-date).
func (r *Rate) Pause(key string, until time.Time) {
	now := r.since()
	u := int64(until.Sub(r.base))
	u = min(u, now+int64(r.maxPause))
	if u <= now {
		return
	}
	k := r.get(key)
	for {
		p := k.paused.Load()
		if p >= u {
			return // an equal or longer pause is on
		}
		if k.paused.CompareAndSwap(p, u) {
			r.pauses.Add(1)
			return
		}
	}
}

// PausedUntil returns when the pause of key ends, or the zero Time if key
// is not paused (or not known).
func (r *Rate) PausedUntil(key string) time.Time {
	k, ok := r.keys.Load(key)
	if !ok {
		return time.Time{}
	}
	p := k.paused.Load()
	if p == 0 || !r.stillPaused(k, p) {
		return time.Time{}
	}
	return r.base.Add(time.Duration(p))
}

// RateStats counts what a [Rate] did since it was created, over all keys,
// evicted keys included. [Rate.Stats] returns it.
type RateStats struct {
	// Allowed counts the calls let through, by Allow or Wait.
	Allowed uint64

	// Rejected counts the calls refused: by Allow, and by Wait when the
	// wait would have passed its context's deadline.
	Rejected uint64

	// Waited counts the calls to Wait that had to wait (for a token or the
	// end of a pause), whatever came of them.
	Waited uint64

	// Canceled counts the calls to Wait that gave up because their
	// context ended.
	Canceled uint64

	// Pauses counts the calls to Pause that paused a key or extended its
	// pause.
	Pauses uint64

	// Keys is the number of keys tracked now; Evictions the number of keys
	// evicted to make room for new ones.
	Keys      int
	Evictions uint64
}

// Stats returns the counts. Each is an atomic read, but the keys are read
// one after the other, so the whole is not one atomic cut; it costs
// O(keys). A count that a call makes on a key while the key is evicted may
// be lost, and the counts of a key evicted while Stats runs may be left out
// of its result.
func (r *Rate) Stats() RateStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.retired
	for _, k := range r.keys.All() {
		s.add(k)
		s.Keys++
	}
	s.Pauses = r.pauses.Load()
	s.Evictions = r.evictions
	return s
}

// add adds the counts of k to s.
func (s *RateStats) add(k *rateKey) {
	s.Allowed += k.allowed.Load()
	s.Rejected += k.rejected.Load()
	s.Waited += k.waited.Load()
	s.Canceled += k.canceled.Load()
}
