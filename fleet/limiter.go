package fleet

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/internal/keymap"
	"github.com/resilient-go/resilient/limiter"
)

// Limiter is a rate limit per key (per host, per user key) shared by every
// replica of a client through Redis, which keeps working, locally, when
// Redis does not.
//
//	l, err := fleet.New(fleet.Config{
//		Redis:            rdb,
//		Limit:            redis_rate.PerSecond(100), // for the whole fleet
//		ExpectedReplicas: 10,                        // 10/s each while Redis is away
//	})
//	…
//	defer l.Close()
//	if err := l.Allow(ctx, host); err != nil {
//		return err // errors.Is(err, limiter.ErrLimited); nothing was sent
//	}
//
// Allow takes permits from Redis in batches (leases) with redis_rate's GCRA
// and hands them out locally, so most calls cost a mutex and a clock read,
// not a round trip. See the package documentation for how leases are
// sized, the over-admission they allow, and what happens when Redis is
// away.
//
// Create a Limiter with [New]; the zero Limiter is not usable. It is safe
// for concurrent use. Its Redis calls run on goroutines of its own, at
// most a few per key, each bounded by Config.Timeout: [Limiter.Close]
// waits for them.
type Limiter struct {
	cfg      Config
	rdb      redis.UniversalClient
	gcra     *redis_rate.Limiter
	brk      *breaker.Breaker
	fallback *limiter.Rate // FallbackLocal only
	base     time.Time     // origin of the limiter's clock (monotonic)

	keys *keymap.Map[string, *keyState]

	// ctx is cancelled by Close, to cut short the Redis calls in flight.
	ctx    context.Context
	cancel context.CancelFunc
	closed atomic.Bool

	kmu     sync.Mutex // guards retired, evicted; taken after the key map's shard lock, before a key's mu
	retired keyCounts  // counts of evicted keys
	evicted uint64

	gmu     sync.Mutex // serialises goroutine starts and Close; taken after a key's mu
	wg      sync.WaitGroup
	stopped bool // Close has begun: no more goroutines
}

// New returns a [Limiter] for c. A bad field gives an error wrapping
// [ErrInvalidConfig] that names it. New does not contact Redis: a Redis
// that is down at start is handled like one that goes down later.
func New(c Config) (*Limiter, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	l := &Limiter{cfg: c, rdb: c.Redis, gcra: redis_rate.NewLimiter(c.Redis), base: time.Now()}
	if c.Fallback == FallbackLocal {
		n := float64(c.ExpectedReplicas)
		l.fallback, err = limiter.NewRate(limiter.RateConfig{
			Limit:   rate.Limit(c.perSecond() / n),
			Burst:   int(max(1, math.Ceil(float64(c.Limit.Burst)/n))),
			MaxKeys: c.MaxKeys,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: the local fallback: %w", ErrInvalidConfig, err)
		}
	}
	bc := defaultBreaker
	if c.Breaker != nil {
		bc = *c.Breaker
		if bc.Name == "" {
			bc.Name = defaultBreaker.Name
		}
	}
	if hook := c.Hooks.OnBreakerStateChange; hook != nil {
		own := bc.OnStateChange
		bc.OnStateChange = func(sc breaker.StateChange) {
			if own != nil {
				own(sc)
			}
			hook(sc)
		}
	}
	if l.brk, err = breaker.New(bc); err != nil {
		return nil, fmt.Errorf("%w: Breaker: %w", ErrInvalidConfig, err)
	}
	l.keys = l.newKeys()
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l, nil
}

// Allow reports whether a call for key may go now: nil, or an error
// saying why not.
//
// With a lease in hand it decides at once, without Redis. Otherwise it
// asks Redis for a new lease and waits for the answer, at most
// Config.Timeout (and at most until ctx ends): then it admits from the
// lease, or refuses because the fleet is at its limit. When Redis cannot
// answer in time, or its breaker is open, the call is decided by
// Config.Fallback instead.
//
// A refusal matches limiter.ErrLimited (nothing was sent: safe to retry,
// and not the destination's fault); with [ErrPaused] also when a shared
// server pause is in force, with [ErrUnavailable] also when Redis is away
// and the limiter fails closed. When ctx ends first, the error is
// ctx.Err(). After Close, it is [ErrClosed].
func (l *Limiter) Allow(ctx context.Context, key string) error {
	if l.closed.Load() {
		return ErrClosed
	}
	s := l.state(key)
	now := l.now()
	s.mu.Lock()
	s.lastUse = now
	s.demand++
	refresh := s.pauseRefreshDue(now, l.cfg.PauseRefresh)
	if s.pausedAt(now) {
		s.c.local++
		s.c.paused++
		s.c.rejected++
		s.mu.Unlock()
		l.maybeRefreshPause(s, refresh)
		return s.errPaused
	}
	if s.permits > 0 && now < s.leaseEnd {
		s.permits--
		s.c.local++
		s.c.allowed++
		if s.op == nil && s.permits <= s.lastAsk/4 && now >= s.denyUntil {
			l.prefetch(s, now)
		}
		s.mu.Unlock()
		l.maybeRefreshPause(s, refresh)
		return nil
	}
	s.dropExpired(now)
	if now < s.denyUntil {
		s.c.local++
		s.c.rejected++
		s.mu.Unlock()
		l.maybeRefreshPause(s, refresh)
		return s.errDenied
	}
	s.mu.Unlock()
	l.maybeRefreshPause(s, refresh)
	return l.allowSlow(ctx, s)
}

// allowSlow is Allow's path when the key holds no usable lease: ask Redis
// (or join a request in flight) and wait for its answer, bounded by
// Timeout.
func (l *Limiter) allowSlow(ctx context.Context, s *keyState) error {
	wctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	for {
		s.mu.Lock()
		now := l.now()
		if s.permits > 0 && now < s.leaseEnd {
			s.permits--
			s.c.fleet++
			s.c.allowed++
			s.mu.Unlock()
			return nil
		}
		s.dropExpired(now)
		if now < s.denyUntil {
			s.c.fleet++
			s.c.rejected++
			s.mu.Unlock()
			return s.errDenied
		}
		op := s.op
		switch {
		case op != nil && now >= op.deadline:
			// A request that has already had its time: Redis is slow.
			// Do not wait on it again, and do not pile up another.
			s.mu.Unlock()
			return l.decideFallback(s)
		case op == nil:
			p, err := l.brk.Allow()
			if err != nil { // breaker open: Redis is away
				s.mu.Unlock()
				return l.decideFallback(s)
			}
			if op = l.startLease(s, now, p); op == nil {
				s.mu.Unlock()
				p.Ignore()
				return ErrClosed
			}
		}
		s.mu.Unlock()
		select {
		case <-op.done:
			if op.err != nil {
				return l.decideFallback(s)
			}
			// Take a permit of the new lease, see the denial, or, if
			// other callers took every permit of a full grant, ask again.
		case <-wctx.Done():
			if err := ctx.Err(); err != nil {
				s.mu.Lock()
				s.c.canceled++
				s.mu.Unlock()
				return err
			}
			return l.decideFallback(s) // Redis did not answer within Timeout
		}
	}
}

// decideFallback decides a call that Redis could not decide.
func (l *Limiter) decideFallback(s *keyState) error {
	var err error
	switch l.cfg.Fallback {
	case FallbackLocal:
		err = l.fallback.Allow(s.key)
	case FailClosed:
		err = s.errUnavailable
	}
	s.mu.Lock()
	s.c.fallback++
	if err == nil {
		s.c.allowed++
	} else {
		s.c.rejected++
	}
	s.mu.Unlock()
	return err
}

// now reads the limiter's monotonic clock.
func (l *Limiter) now() time.Duration { return time.Since(l.base) }

// goStart starts f on a goroutine owned by l, unless l is closing.
// It may be called with a key's mu held.
func (l *Limiter) goStart(f func()) bool {
	l.gmu.Lock()
	defer l.gmu.Unlock()
	if l.stopped {
		return false
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f()
	}()
	return true
}

// Close stops the limiter: the Redis calls in flight are cancelled and
// waited for, and later calls to Allow return [ErrClosed]. It does not
// close the Redis client. Close is idempotent.
func (l *Limiter) Close() error {
	l.closed.Store(true)
	l.gmu.Lock()
	l.stopped = true
	l.gmu.Unlock()
	l.cancel()
	l.wg.Wait()
	return nil
}

// Breaker returns the circuit breaker around Redis, for status pages and
// for operators (Isolate it to force the fallback during a Redis
// maintenance; Reset it to resume).
func (l *Limiter) Breaker() *breaker.Breaker { return l.brk }
