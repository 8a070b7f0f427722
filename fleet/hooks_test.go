package fleet_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/fleet"
)

// The hooks see the leases, the Redis errors once Redis is gone, and the
// breaker around Redis opening.
func TestHooks(t *testing.T) {
	r := startRedis(t)
	var (
		mu       sync.Mutex
		leases   []fleet.Lease
		errs     []fleet.RedisError
		changes  []breaker.StateChange
		ownCalls int
	)
	l, err := fleet.New(fleet.Config{
		Redis:            r.client(t),
		Limit:            redis_rate.PerSecond(1000),
		ExpectedReplicas: 1,
		Timeout:          200 * time.Millisecond,
		Breaker: &breaker.Config{
			ConsecutiveFailures: 3,
			BreakDuration:       time.Minute,
			OnStateChange:       func(breaker.StateChange) { mu.Lock(); ownCalls++; mu.Unlock() },
		},
		Hooks: fleet.Hooks{
			OnLease:              func(le fleet.Lease) { mu.Lock(); leases = append(leases, le); mu.Unlock() },
			OnRedisError:         func(e fleet.RedisError) { mu.Lock(); errs = append(errs, e); mu.Unlock() },
			OnBreakerStateChange: func(c breaker.StateChange) { mu.Lock(); changes = append(changes, c); mu.Unlock() },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	if err := l.Allow(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	// OnLease runs on the limiter's goroutine, after the waiting call
	// has its answer.
	eventually(time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(leases) > 0 })
	mu.Lock()
	if len(leases) == 0 || leases[0].Key != "k" || leases[0].Requested != 1 || leases[0].Granted != 1 || leases[0].Took <= 0 {
		t.Errorf("leases %+v, want a first lease of 1 permit for k", leases)
	}
	mu.Unlock()

	r.Kill()
	if !eventually(5*time.Second, func() bool {
		_ = l.Allow(ctx, "k")
		return l.Stats().Breaker == breaker.Open
	}) {
		t.Fatalf("breaker not open 5s after Redis was killed: %+v", l.Stats())
	}
	_ = l.Close() // waits for the hooks in flight
	mu.Lock()
	defer mu.Unlock()
	if len(errs) < 3 || errs[0].Key != "k" || errs[0].Err == nil {
		t.Errorf("Redis errors %+v, want at least 3 for k", errs)
	}
	if len(changes) != 1 || changes[0].To != breaker.Open || changes[0].Name != "redis" || ownCalls != 1 {
		t.Errorf("breaker changes %+v (and %d to the breaker's own hook), want one to open, named redis", changes, ownCalls)
	}
}

// An operator can force the fallback (Isolate the breaker around Redis,
// for a Redis maintenance) and resume the fleet limit (Reset).
func TestIsolateForcesFallback(t *testing.T) {
	r := startRedis(t)
	l := replicas(t, r, 1, fleet.Config{Limit: redis_rate.PerSecond(1000), Fallback: fleet.FailClosed, Timeout: 200 * time.Millisecond})[0]
	ctx := context.Background()
	l.Breaker().Isolate()
	for range 3 {
		if err := l.Allow(ctx, "k"); !errors.Is(err, fleet.ErrUnavailable) {
			t.Fatalf("isolated: %v, want ErrUnavailable (fail closed)", err)
		}
	}
	l.Breaker().Reset()
	if err := l.Allow(ctx, "k"); err != nil {
		t.Fatalf("after Reset: %v", err)
	}
	if s := l.Stats(); s.Fallback != 3 || s.Fleet != 1 || s.Breaker != breaker.Closed {
		t.Errorf("%+v: want 3 fallback decisions, then 1 fleet decision, breaker closed", s)
	}
}
