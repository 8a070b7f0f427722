package fleet_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/fleet"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// One replica's 429 with Retry-After pauses the host for every replica,
// through Redis, bounded by MaxPause; when the pause ends, every replica
// sends again.
func TestSharedPauseReachesAllReplicas(t *testing.T) {
	r := startRedis(t)
	var throttle atomic.Bool
	throttle.Store(true)
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		if throttle.Load() {
			w.Header().Set("Retry-After", "60") // capped by MaxPause
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()

	const maxPause = 800 * time.Millisecond
	ls := replicas(t, r, 4, fleet.Config{
		Limit:            redis_rate.PerSecond(1000),
		ExpectedReplicas: 4,
		MaxPause:         maxPause,
		PauseRefresh:     50 * time.Millisecond,
		Timeout:          200 * time.Millisecond,
	})
	clients := make([]*http.Client, len(ls))
	for i, l := range ls {
		clients[i] = &http.Client{Transport: transport.Chain(srv.Client().Transport, fleet.Middleware(l, fleet.MiddlewareConfig{}))}
	}
	get := func(c *http.Client) (int, error) {
		resp, err := c.Get(srv.URL)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// Every replica reads the (absent) shared pause once first.
	for i, c := range clients[1:] {
		throttle.Store(false)
		if code, err := get(c); err != nil || code != http.StatusOK {
			t.Fatalf("replica %d before the pause: %d, %v", i+1, code, err)
		}
	}

	// Replica 0 meets the 429.
	throttle.Store(true)
	if code, err := get(clients[0]); err != nil || code != http.StatusTooManyRequests {
		t.Fatalf("replica 0: %d, %v, want the 429", code, err)
	}
	pausedAt := time.Now()
	throttle.Store(false)
	host := srv.Listener.Addr().String()
	if d := ls[0].PausedFor(host); d <= 0 || d > maxPause {
		t.Fatalf("replica 0 paused for %v, want (0, %v]", d, maxPause)
	}
	sent := served.Load()

	// The others learn of it within a refresh, without sending.
	for i, c := range clients {
		var err error
		if !eventually(maxPause/2, func() bool {
			_, err = get(c)
			return errors.Is(err, fleet.ErrPaused)
		}) {
			t.Fatalf("replica %d not paused %v after replica 0's 429: last error %v", i, time.Since(pausedAt), err)
		}
		if !errors.Is(err, limiter.ErrLimited) || !transport.NotSent(err) {
			t.Errorf("replica %d: %v, want limiter.ErrLimited and NotSent", i, err)
		}
	}
	t.Logf("every replica paused within %v (%d requests sent meanwhile by replicas yet to read it)",
		time.Since(pausedAt).Round(time.Millisecond), served.Load()-sent)
	sent = served.Load()
	for i, c := range clients {
		if _, err := get(c); !errors.Is(err, fleet.ErrPaused) {
			t.Errorf("replica %d during the pause: %v, want ErrPaused", i, err)
		}
	}
	if n := served.Load() - sent; n != 0 {
		t.Errorf("%d requests reached the host during the shared pause, want none", n)
	}

	// The pause ends, bounded by MaxPause, for every replica.
	for i, c := range clients {
		var code int
		var err error
		if !eventually(maxPause+time.Second, func() bool {
			code, err = get(c)
			return err == nil && code == http.StatusOK
		}) {
			t.Fatalf("replica %d still refused %v after the pause: %d, %v", i, time.Since(pausedAt), code, err)
		}
	}
	if took := time.Since(pausedAt); took < maxPause/2 {
		t.Errorf("the pause ended after %v, want about MaxPause %v", took, maxPause)
	}
	for i, l := range ls {
		if s := l.Stats(); s.Paused == 0 && i > 0 {
			t.Errorf("replica %d: %+v, want paused refusals", i, s)
		}
	}
}

// Pause only ever extends a pause: a shorter one does not cut it.
func TestPauseOnlyExtends(t *testing.T) {
	r := startRedis(t)
	ls := replicas(t, r, 2, fleet.Config{
		Limit: redis_rate.PerSecond(100), ExpectedReplicas: 2, PauseRefresh: 20 * time.Millisecond, Timeout: 200 * time.Millisecond,
	})
	ls[0].Pause("k", 10*time.Second)
	ls[1].Pause("k", 50*time.Millisecond)
	if !eventually(2*time.Second, func() bool {
		_ = ls[1].Allow(context.Background(), "k") // triggers the refreshes
		return ls[1].PausedFor("k") > 5*time.Second
	}) {
		t.Fatalf("replica 1 paused for %v, want replica 0's 10s", ls[1].PausedFor("k"))
	}
	time.Sleep(100 * time.Millisecond) // past the short pause
	if err := ls[1].Allow(context.Background(), "k"); !errors.Is(err, fleet.ErrPaused) {
		t.Errorf("after the short pause: %v, want still paused", err)
	}
}
