package fleet

import (
	"fmt"
	"sync"
	"time"

	"github.com/resilient-go/resilient/internal/keymap"
	"github.com/resilient-go/resilient/limiter"
)

// keyState is one key's lease, cached denial, cached pause and counts.
// Times are durations since Limiter.base.
type keyState struct {
	key      string
	rateKey  string // the Redis key is "rate:"+rateKey (redis_rate's prefix)
	pauseKey string // the shared pause's Redis key

	// Shared rejections, built once per key so that rejecting does not
	// allocate. Read-only.
	errDenied, errPaused, errUnavailable error

	mu sync.Mutex // guards everything below

	permits   int           // leased permits left
	leaseEnd  time.Duration // when they expire
	denyUntil time.Duration // Redis said no until then
	op        *leaseOp      // the lease request in flight, or nil
	maxAsk    int           // the most permits to ask for next: halved on a denial, doubled on a grant
	lastAsk   int           // the permits asked for by the latest request

	// Lease sizing: the calls seen since demandSince, and the smoothed
	// rate of calls (per second) measured at each lease request.
	demand      int
	demandSince time.Duration
	rate        float64
	measured    bool // a first lease request has started the measurement

	localPause   time.Duration // end of a pause this replica set (Pause)
	remotePause  time.Duration // end of the shared pause, as last read from Redis
	pauseChecked time.Duration // when the shared pause was last read (or a read skipped)
	pauseReading bool          // a read is in flight
	pushUntil    time.Duration // end of the pause to write to Redis, 0 when written
	pushing      bool          // a write is in flight

	lastUse time.Duration
	c       keyCounts
}

// keyCounts are a key's counters; Stats sums them.
type keyCounts struct {
	allowed, rejected, canceled uint64
	local, fleet, fallback      uint64
	paused                      uint64
	roundTrips, granted, leased uint64
	expired                     uint64
	redisErrors                 uint64
	lastLease                   int
}

func (c *keyCounts) add(o *keyCounts) {
	c.allowed += o.allowed
	c.rejected += o.rejected
	c.canceled += o.canceled
	c.local += o.local
	c.fleet += o.fleet
	c.fallback += o.fallback
	c.paused += o.paused
	c.roundTrips += o.roundTrips
	c.granted += o.granted
	c.leased += o.leased
	c.expired += o.expired
	c.redisErrors += o.redisErrors
}

func (l *Limiter) newKey(key string, now time.Duration) *keyState {
	s := &keyState{
		key:      key,
		rateKey:  l.cfg.Prefix + key,
		pauseKey: l.cfg.Prefix + "pause:" + key,
		maxAsk:   l.cfg.MaxLease,
		lastUse:  now,

		demandSince:  now,
		pauseChecked: now - l.cfg.PauseRefresh, // read the shared pause on first use
	}
	lim := l.cfg.Limit
	s.errDenied = fmt.Errorf("%w: fleet: key %q: fleet limit %d per %v (burst %d) reached", limiter.ErrLimited, key, lim.Rate, lim.Period, lim.Burst)
	s.errPaused = fmt.Errorf("%w: %w: key %q", limiter.ErrLimited, ErrPaused, key)
	s.errUnavailable = fmt.Errorf("%w: %w: key %q: failing closed", limiter.ErrLimited, ErrUnavailable, key)
	return s
}

// state returns key's state, creating it on first use. Lookups of
// existing keys take no lock and allocate nothing.
func (l *Limiter) state(key string) *keyState {
	s, _ := l.keys.LoadOrNew(key) // cannot fail: newKey does not, and Evict is set
	return s
}

// newKeys returns the limiter's key map. Past MaxKeys, a new key evicts
// one of a sample of keys (of all of them while MaxKeys is 5 or less):
// see evictOne.
func (l *Limiter) newKeys() *keymap.Map[string, *keyState] {
	return keymap.New(keymap.Config[string, *keyState]{
		Max:     l.cfg.MaxKeys,
		New:     func(key string) (*keyState, error) { return l.newKey(key, l.now()), nil },
		Evict:   evictOne,
		OnEvict: l.retire,
	})
}

// evictOne marks the key of sample to evict: the least recently used one
// with no Redis call in flight (or, if all have one, the least recently
// used). It runs under the key map's shard lock, and takes each key's mu.
func evictOne(sample []keymap.Entry[string, *keyState]) {
	victim := -1
	var victimBusy bool
	var oldest time.Duration
	for i := range sample {
		s := sample[i].Value
		s.mu.Lock()
		busy := s.op != nil || s.pauseReading || s.pushing
		last := s.lastUse
		s.mu.Unlock()
		if victim < 0 || (victimBusy && !busy) || (busy == victimBusy && last < oldest) {
			victim, victimBusy, oldest = i, busy, last
		}
	}
	if victim >= 0 {
		sample[victim].Evict = true
	}
}

// retire is the key map's OnEvict: it keeps the evicted key's counts.
func (l *Limiter) retire(_ string, s *keyState) {
	l.kmu.Lock()
	defer l.kmu.Unlock()
	s.mu.Lock()
	l.retired.add(&s.c)
	s.mu.Unlock()
	l.evicted++
}

// dropExpired forgets an expired lease's permits. Requires s.mu held.
func (s *keyState) dropExpired(now time.Duration) {
	if s.permits > 0 && now >= s.leaseEnd {
		s.c.expired += uint64(s.permits)
		s.permits = 0
	}
}

// pausedAt reports whether a pause is in force. Requires s.mu held.
func (s *keyState) pausedAt(now time.Duration) bool {
	return now < s.localPause || now < s.remotePause
}
