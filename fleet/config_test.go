package fleet_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/fleet"
)

func TestNewRejectsBadConfig(t *testing.T) {
	rdb := unreachable(t)
	ok := fleet.Config{Redis: rdb, Limit: redis_rate.PerSecond(10), ExpectedReplicas: 2}
	for _, tc := range []struct {
		field string
		edit  func(*fleet.Config)
	}{
		{"Redis", func(c *fleet.Config) { c.Redis = nil }},
		{"Limit.Rate", func(c *fleet.Config) { c.Limit = redis_rate.Limit{} }},
		{"Limit.Period", func(c *fleet.Config) { c.Limit.Period = 0 }},
		{"Limit.Burst", func(c *fleet.Config) { c.Limit.Burst = -1 }},
		{"ExpectedReplicas", func(c *fleet.Config) { c.ExpectedReplicas = 0 }},
		{"ExpectedReplicas", func(c *fleet.Config) { c.ExpectedReplicas = -1; c.Fallback = fleet.FailOpen }},
		{"Fallback", func(c *fleet.Config) { c.Fallback = 7 }},
		{"Timeout", func(c *fleet.Config) { c.Timeout = -time.Second }},
		{"LeaseTTL", func(c *fleet.Config) { c.LeaseTTL = -1 }},
		{"MaxPause", func(c *fleet.Config) { c.MaxPause = -1 }},
		{"PauseRefresh", func(c *fleet.Config) { c.PauseRefresh = -1 }},
		{"MaxLease", func(c *fleet.Config) { c.MaxLease = -1 }},
		{"MaxLease", func(c *fleet.Config) { c.MaxLease = 11 }}, // > Burst 10
		{"MaxKeys", func(c *fleet.Config) { c.MaxKeys = -1 }},
		{"Breaker", func(c *fleet.Config) { c.Breaker = &breaker.Config{FailureRatio: 2} }},
	} {
		c := ok
		tc.edit(&c)
		l, err := fleet.New(c)
		if !errors.Is(err, fleet.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: New gave %v, want ErrInvalidConfig naming the field", tc.field, err)
		}
		if l != nil {
			t.Errorf("%s: New returned a limiter with its error", tc.field)
		}
	}
	l, err := fleet.New(ok)
	if err != nil {
		t.Fatalf("valid config: %v", err)
	}
	_ = l.Close()
	// Without a local fallback, ExpectedReplicas is not needed.
	c := ok
	c.ExpectedReplicas, c.Fallback = 0, fleet.FailClosed
	if l, err = fleet.New(c); err != nil {
		t.Fatalf("FailClosed without ExpectedReplicas: %v", err)
	}
	_ = l.Close()
}

func TestClose(t *testing.T) {
	l, err := fleet.New(fleet.Config{Redis: unreachable(t), Limit: redis_rate.PerSecond(10), ExpectedReplicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Allow(context.Background(), "k"); err != nil {
		t.Fatalf("before Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := l.Allow(context.Background(), "k"); !errors.Is(err, fleet.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
	l.Pause("k", time.Second) // a no-op, not a panic nor a goroutine
}

func TestFallbackString(t *testing.T) {
	for f, want := range map[fleet.Fallback]string{fleet.FallbackLocal: "local", fleet.FailOpen: "open", fleet.FailClosed: "closed", 9: "fallback(9)"} {
		if got := f.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", f, got, want)
		}
	}
}

// Beyond MaxKeys, a key is evicted; its counts stay in Stats. Which key
// goes depends on timing: eviction spares a key whose (failing) Redis call
// is still in flight, so "c" evicts "a" (and "a" then evicts another: 2
// evictions) or, while a's call is out, "b" (and "a" is still there: 1).
func TestMaxKeys(t *testing.T) {
	l, err := fleet.New(fleet.Config{Redis: unreachable(t), Limit: redis_rate.PerSecond(10), Fallback: fleet.FailOpen, MaxKeys: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, k := range []string{"a", "b", "c", "a"} {
		if err := l.Allow(context.Background(), k); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	if s := l.Stats(); s.Keys != 2 || s.Evictions < 1 || s.Evictions > 2 || s.Allowed != 4 {
		t.Errorf("%+v: want 2 keys, 1 or 2 evictions, 4 allowed", s)
	}
}
