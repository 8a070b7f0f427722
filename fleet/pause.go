package fleet

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilient-go/resilient/breaker"
)

// Pause pauses key for d for the whole fleet: a server asked for it (a
// 429 or 503 with Retry-After). The pause applies to this replica at once,
// and to the others once they next read it from Redis (within
// Config.PauseRefresh): until then, every call for key is refused with an
// error matching [ErrPaused] and limiter.ErrLimited. d is capped at
// Config.MaxPause; a pause is only ever extended, never shortened. The
// write to Redis happens in the background: Pause does not wait for it.
//
// The shared pause is a Redis key set with a relative expiry (SET … PX,
// then PEXPIRE … GT to extend it, which needs Redis 7) and read with
// PTTL, so it does not depend on the replicas' clocks agreeing.
func (l *Limiter) Pause(key string, d time.Duration) {
	if d <= 0 || l.closed.Load() {
		return
	}
	d = min(d, l.cfg.MaxPause)
	s := l.state(key)
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	until := now + d
	if until <= s.localPause {
		return
	}
	s.localPause = until
	s.pushUntil = max(s.pushUntil, until)
	if !s.pushing && l.goStart(func() { l.pushPause(s) }) {
		s.pushing = true
	}
}

// PausedFor returns how long key remains paused, as this replica knows it
// (its own pauses and the shared pause as last read), or 0.
func (l *Limiter) PausedFor(key string) time.Duration {
	s := l.state(key)
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(0, s.localPause-now, s.remotePause-now)
}

// pushPause writes key's pause to Redis, and again while Pause extended
// it meanwhile.
func (l *Limiter) pushPause(s *keyState) {
	for {
		s.mu.Lock()
		d := s.pushUntil - l.now()
		s.pushUntil = 0
		if d < time.Millisecond {
			s.pushing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()

		p, err := l.brk.Allow()
		if err == nil {
			ctx, cancel := context.WithTimeout(l.ctx, l.cfg.Timeout)
			err = l.writePause(ctx, s.pauseKey, d)
			cancel()
			l.report(p, err)
			if err != nil {
				s.mu.Lock()
				s.c.redisErrors++
				s.mu.Unlock()
				l.redisError(s.key, "pause-write", err)
			}
		}
		// A pause that could not be shared (Redis away) still holds
		// here; the fleet's other replicas will see their own 429s.
	}
}

// pauseRefreshDue reports whether the shared pause should be read now,
// and if so marks the read as started. Requires s.mu held.
func (s *keyState) pauseRefreshDue(now, every time.Duration) bool {
	if s.pauseReading || now-s.pauseChecked < every {
		return false
	}
	s.pauseReading = true
	s.pauseChecked = now
	return true
}

// maybeRefreshPause starts a background read of key's shared pause when
// refresh says so (see pauseRefreshDue). No call waits for it.
func (l *Limiter) maybeRefreshPause(s *keyState, refresh bool) {
	if !refresh {
		return
	}
	p, err := l.brk.Allow()
	if err == nil && l.goStart(func() { l.readPause(s, p) }) {
		return
	}
	p.Ignore() // a zero Permit (breaker open) ignores it too
	s.mu.Lock()
	s.pauseReading = false
	s.mu.Unlock()
}

// readPause reads the shared pause's time to live from Redis.
func (l *Limiter) readPause(s *keyState, p breaker.Permit) {
	ctx, cancel := context.WithTimeout(l.ctx, l.cfg.Timeout)
	ttl, err := l.rdb.PTTL(ctx, s.pauseKey).Result()
	cancel()
	l.report(p, err)
	now := l.now()
	s.mu.Lock()
	s.pauseReading = false
	s.pauseChecked = now
	if err != nil {
		s.c.redisErrors++
	} else {
		// PTTL answers -2 (no key) or -1 (no expiry, not ours) as
		// negative durations: no pause. (Not now+0, which would pause
		// a call that read the clock before this.)
		s.remotePause = 0
		if ttl > 0 {
			s.remotePause = now + min(ttl, l.cfg.MaxPause)
		}
	}
	s.mu.Unlock()
	if err != nil {
		l.redisError(s.key, "pause-read", err)
	}
}

// writePause sets the shared pause to d from now, or extends a shorter
// one, in one round trip without a script.
func (l *Limiter) writePause(ctx context.Context, key string, d time.Duration) error {
	ms := d.Milliseconds()
	cmds, err := l.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Do(ctx, "set", key, 1, "px", ms, "nx") // a new pause
		pipe.Do(ctx, "pexpire", key, ms, "gt")      // or extend a shorter one
		return nil
	})
	if len(cmds) == 0 {
		return err
	}
	for _, c := range cmds {
		// SET NX answers nil when the pause exists: not an error.
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}
