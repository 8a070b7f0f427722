package fleet_test

import (
	"context"
	"errors"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/fleet"
	"github.com/resilient-go/resilient/limiter"
)

// Redis is killed mid-run: calls go on under the local fallback (each
// replica Limit/ExpectedReplicas), none waits past the Redis timeout.
// Redis comes back (empty, on the same port): the fleet limit resumes by
// itself, once the breaker's probe succeeds.
func TestRedisKilledFallsBackThenResumes(t *testing.T) {
	r := startRedis(t)
	const (
		rate     = 100
		nrep     = 4
		expected = 2 // fewer than the real 4: the fallback admits 2× the limit, so it shows
		timeout  = 100 * time.Millisecond
		margin   = 400 * time.Millisecond // scheduling on a loaded 2-core machine under -race
	)
	ls := replicas(t, r, nrep, fleet.Config{
		Limit:            redis_rate.Limit{Rate: rate, Period: time.Second, Burst: 50},
		ExpectedReplicas: expected,
		Timeout:          timeout,
		Breaker:          &breaker.Config{ConsecutiveFailures: 3, BreakDuration: 300 * time.Millisecond},
	})
	ld := startLoad(ls, "api.example.com", 2, 5*time.Millisecond) // 1600/s offered
	defer ld.Stop()
	rateOver := func(d time.Duration) float64 {
		from := time.Now()
		time.Sleep(d)
		to := time.Now()
		return float64(ld.count(from, to)) / to.Sub(from).Seconds()
	}

	// Fleet mode.
	time.Sleep(300 * time.Millisecond)
	if got := rateOver(time.Second); math.Abs(got-rate)/rate > 0.1 {
		t.Errorf("with Redis up: %.0f/s admitted, want %d/s ± 10 %%", got, rate)
	}

	// Outage.
	r.Kill()
	ld.resetLongest()
	time.Sleep(300 * time.Millisecond) // the local buckets' first burst
	fallbackRate := float64(rate * nrep / expected)
	got := rateOver(time.Second)
	if math.Abs(got-fallbackRate)/fallbackRate > 0.15 {
		t.Errorf("Redis down: %.0f/s admitted, want the fallback's %.0f/s ± 15 %%", got, fallbackRate)
	}
	longest, odd := ld.resetLongest()
	t.Logf("Redis down: %.0f/s admitted (fallback %.0f/s), longest Allow %v", got, fallbackRate, longest)
	if longest > timeout+margin {
		t.Errorf("an Allow took %v with Redis down, want at most the timeout %v (+%v for scheduling)", longest, timeout, margin)
	}
	if len(odd) > 0 {
		t.Errorf("errors other than rejections while Redis was down: %v", odd[:min(3, len(odd))])
	}
	for i, l := range ls {
		if s := l.Stats(); s.Fallback == 0 || s.RedisErrors == 0 || s.Breaker == breaker.Closed {
			t.Errorf("replica %d, Redis down: %+v, want fallback decisions, Redis errors and the breaker not closed", i, s)
		}
	}

	// Recovery.
	r.Restart()
	restarted := time.Now()
	before := make([]uint64, nrep)
	for i, l := range ls {
		before[i] = l.Stats().Grants
	}
	if !eventually(5*time.Second, func() bool {
		for i, l := range ls {
			if s := l.Stats(); s.Breaker != breaker.Closed || s.Grants == before[i] {
				return false
			}
		}
		return true
	}) {
		for i, l := range ls {
			t.Logf("replica %d: %+v", i, l.Stats())
		}
		t.Fatal("the fleet limit did not resume within 5s of Redis's restart")
	}
	t.Logf("fleet limit resumed on every replica %v after the restart", time.Since(restarted).Round(time.Millisecond))
	time.Sleep(300 * time.Millisecond) // spend GCRA's burst and the leases in hand
	if got := rateOver(1500 * time.Millisecond); math.Abs(got-rate)/rate > 0.1 {
		t.Errorf("after the restart: %.0f/s admitted, want the fleet limit %d/s ± 10 %% again", got, rate)
	} else {
		t.Logf("after the restart: %.0f/s admitted", got)
	}
	longest, odd = ld.resetLongest()
	if len(odd) > 0 || longest > timeout+margin {
		t.Errorf("after the restart: longest Allow %v, unexpected errors %v", longest, odd)
	}
}

// A Redis that accepts connections and never answers (a partition, a
// stuck server): every Allow returns within the timeout, and once the
// breaker opens calls stop paying it.
func TestSilentRedisTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	stopped := make(chan struct{})
	conns.Add(1)
	go func() { // accept and hold every connection, say nothing
		defer conns.Done()
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				<-stopped
				for _, c := range held {
					_ = c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	defer func() { _ = ln.Close(); close(stopped); conns.Wait() }()

	rdb := redis.NewClient(&redis.Options{
		Addr: ln.Addr().String(), MaxRetries: -1, ContextTimeoutEnabled: true,
		// go-redis's own defaults (3s reads): the limiter's Timeout
		// must bound the calls anyway.
	})
	defer rdb.Close()
	const timeout = 50 * time.Millisecond
	l, err := fleet.New(fleet.Config{
		Redis:            rdb,
		Limit:            redis_rate.PerSecond(1000),
		ExpectedReplicas: 1,
		Timeout:          timeout,
		Breaker:          &breaker.Config{ConsecutiveFailures: 3, BreakDuration: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	// Calls spaced out, as real traffic would be: each waits for its own
	// lease request, which times out; three in a row open the breaker.
	var longest time.Duration
	calls := 0
	for deadline := time.Now().Add(3 * time.Second); l.Stats().Breaker != breaker.Open && time.Now().Before(deadline); calls++ {
		start := time.Now()
		err := l.Allow(context.Background(), "k")
		longest = max(longest, time.Since(start))
		if err != nil {
			t.Fatalf("call %d: %v, want the local fallback's admission", calls, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s := l.Stats()
	t.Logf("%d calls, longest Allow %v; %+v", calls, longest, s)
	if longest > timeout+400*time.Millisecond {
		t.Errorf("an Allow took %v, want at most the timeout %v (+400ms for scheduling)", longest, timeout)
	}
	if s.Breaker != breaker.Open {
		t.Fatalf("breaker %v after 3s of calls to a silent Redis, want open", s.Breaker)
	}
	if s.Fallback != uint64(calls) || s.RedisErrors < 3 {
		t.Errorf("%d fallback decisions and %d Redis errors for %d calls, want all calls and >= 3 errors", s.Fallback, s.RedisErrors, calls)
	}
	// Open: no call waits for Redis any more.
	start := time.Now()
	for range 100 {
		_ = l.Allow(context.Background(), "k")
	}
	if took := time.Since(start); took > timeout {
		t.Errorf("100 calls with the breaker open took %v, want well under one timeout (%v)", took, timeout)
	}
}

// FailOpen and FailClosed decide the calls Redis cannot.
func TestFailOpenAndClosed(t *testing.T) {
	for _, tc := range []struct {
		mode fleet.Fallback
		ok   bool
	}{{fleet.FailOpen, true}, {fleet.FailClosed, false}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			l, err := fleet.New(fleet.Config{Redis: unreachable(t), Limit: redis_rate.PerSecond(1), Fallback: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			for i := range 5 { // far beyond the limit of 1/s
				err := l.Allow(context.Background(), "k")
				if tc.ok && err != nil {
					t.Fatalf("call %d: %v, want admitted (fail open)", i, err)
				}
				if !tc.ok && (!errors.Is(err, fleet.ErrUnavailable) || !errors.Is(err, limiter.ErrLimited)) {
					t.Fatalf("call %d: %v, want ErrUnavailable and limiter.ErrLimited (fail closed)", i, err)
				}
			}
			if s := l.Stats(); s.Fallback != 5 || s.RedisErrors == 0 {
				t.Errorf("%+v: want 5 fallback decisions and Redis errors", s)
			}
		})
	}
}
