package fleet_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilient-go/resilient/fleet"
	"github.com/resilient-go/resilient/limiter"
)

// replicas builds n limiters from cfg, each with its own go-redis client
// (its own connections) to r, as n replicas of a service would have. The
// key prefix is the test's name, so tests do not share limits.
func replicas(t *testing.T, r *redisServer, n int, cfg fleet.Config) []*fleet.Limiter {
	t.Helper()
	cfg.Prefix = t.Name() + ":"
	ls := make([]*fleet.Limiter, n)
	for i := range ls {
		cfg.Redis = r.client(t)
		l, err := fleet.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close() })
		ls[i] = l
	}
	return ls
}

// load offers calls to every limiter for key: perReplica goroutines each,
// each calling Allow every tick, until stop is called. It records the time
// of every admitted call, the longest Allow, and any error that is not a
// limiter rejection.
type load struct {
	wg   sync.WaitGroup
	stop chan struct{}

	mu       sync.Mutex
	admitted []time.Time
	longest  time.Duration
	odd      []error
}

func startLoad(ls []*fleet.Limiter, key string, perReplica int, tick time.Duration) *load {
	ld := &load{stop: make(chan struct{})}
	for _, l := range ls {
		for range perReplica {
			ld.wg.Add(1)
			go ld.run(l, key, tick)
		}
	}
	return ld
}

func (ld *load) run(l *fleet.Limiter, key string, tick time.Duration) {
	defer ld.wg.Done()
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for {
		select {
		case <-ld.stop:
			return
		case <-tk.C:
		}
		start := time.Now()
		err := l.Allow(context.Background(), key)
		end := time.Now()
		ld.mu.Lock()
		ld.longest = max(ld.longest, end.Sub(start))
		switch {
		case err == nil:
			ld.admitted = append(ld.admitted, end)
		case !errors.Is(err, limiter.ErrLimited):
			ld.odd = append(ld.odd, err)
		}
		ld.mu.Unlock()
	}
}

// Stop stops the load and waits for its goroutines.
func (ld *load) Stop() {
	close(ld.stop)
	ld.wg.Wait()
}

// count returns the calls admitted in [from, to).
func (ld *load) count(from, to time.Time) int {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	n := 0
	for _, at := range ld.admitted {
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}

// resetLongest returns the longest Allow so far and starts a new
// measurement, along with the unexpected errors.
func (ld *load) resetLongest() (time.Duration, []error) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	d, odd := ld.longest, ld.odd
	ld.longest, ld.odd = 0, nil
	return d, odd
}

// eventually polls cond every 10ms until it holds or d has passed.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// unreachable returns a client to a loopback port where nothing listens:
// every call fails at once with "connection refused".
func unreachable(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t))),
		MaxRetries:            -1,
		DialTimeout:           100 * time.Millisecond,
		ContextTimeoutEnabled: true,
		DialerRetries:         1,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}
