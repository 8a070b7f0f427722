package limiter_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

func mustAllow(t *testing.T, r *limiter.Rate, key string) {
	t.Helper()
	if err := r.Allow(key); err != nil {
		t.Fatalf("Allow(%q): %v, want allowed", key, err)
	}
}

func mustReject(t *testing.T, r *limiter.Rate, key string, want string) {
	t.Helper()
	err := r.Allow(key)
	if !errors.Is(err, limiter.ErrLimited) {
		t.Fatalf("Allow(%q): %v, want ErrLimited", key, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("Allow(%q): %q, want it to contain %q", key, err, want)
	}
}

func TestRateBurstThenRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 10}) // burst 10
		for range 10 {
			mustAllow(t, r, "a")
		}
		mustReject(t, r, "a", `key "a": rate limit 10/s (burst 10) reached`)
		// Other keys have their own bucket.
		mustAllow(t, r, "b")

		time.Sleep(99 * time.Millisecond)
		mustReject(t, r, "a", "rate limit")
		time.Sleep(time.Millisecond)
		mustAllow(t, r, "a")
		mustReject(t, r, "a", "rate limit")

		s := r.Stats()
		want := limiter.RateStats{Allowed: 12, Rejected: 3, Keys: 2}
		if s != want {
			t.Fatalf("Stats = %+v, want %+v", s, want)
		}
	})
}

func TestRateBurstDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			limit rate.Limit
			burst int
		}{{0.5, 1}, {1, 1}, {2.5, 3}, {100, 100}} {
			r := mustRate(t, limiter.RateConfig{Limit: tc.limit})
			n := 0
			for r.Allow("k") == nil {
				n++
			}
			if n != tc.burst {
				t.Errorf("Limit %v: %d allowed at once, want burst %d", tc.limit, n, tc.burst)
			}
		}
	})
}

func TestRateInf(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: rate.Inf})
		for range 10000 {
			mustAllow(t, r, "a")
		}
		if err := r.Wait(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
		r.Pause("a", time.Now().Add(time.Second))
		mustReject(t, r, "a", "paused by server pushback until 2000-01-01T00:00:01.000Z")
		start := time.Now()
		if err := r.Wait(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Wait waited %v, want the pause's 1s", d)
		}
	})
}

func TestRatePause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1000, MaxPause: 10 * time.Second})
		t0 := time.Now()
		if !r.PausedUntil("a").IsZero() {
			t.Fatal("PausedUntil of an unknown key is not zero")
		}

		r.Pause("a", t0.Add(2*time.Second))
		if got := r.PausedUntil("a"); !got.Equal(t0.Add(2 * time.Second)) {
			t.Fatalf("PausedUntil = %v, want %v", got, t0.Add(2*time.Second))
		}
		mustReject(t, r, "a", `key "a": paused by server pushback until 2000-01-01T00:00:02.000Z`)
		mustAllow(t, r, "b") // other keys go on

		// A shorter pause does not shorten it; a longer one extends it.
		r.Pause("a", t0.Add(time.Second))
		if got := r.PausedUntil("a"); !got.Equal(t0.Add(2 * time.Second)) {
			t.Fatalf("after a shorter pause, PausedUntil = %v, want unchanged", got)
		}
		r.Pause("a", t0.Add(3*time.Second))
		if got := r.PausedUntil("a"); !got.Equal(t0.Add(3 * time.Second)) {
			t.Fatalf("after a longer pause, PausedUntil = %v, want %v", got, t0.Add(3*time.Second))
		}
		// A pause in the past does nothing.
		r.Pause("c", t0.Add(-time.Second))
		r.Pause("c", t0)
		if !r.PausedUntil("c").IsZero() {
			t.Fatal("a pause in the past paused the key")
		}

		time.Sleep(3*time.Second - time.Nanosecond)
		mustReject(t, r, "a", "paused")
		time.Sleep(time.Nanosecond)
		mustAllow(t, r, "a")
		if !r.PausedUntil("a").IsZero() {
			t.Fatal("PausedUntil not zero after the pause")
		}

		// MaxPause caps what a server asks.
		now := time.Now()
		r.Pause("a", now.Add(time.Hour))
		if got := r.PausedUntil("a"); !got.Equal(now.Add(10 * time.Second)) {
			t.Fatalf("PausedUntil = %v, want capped at now+MaxPause %v", got, now.Add(10*time.Second))
		}
		if got := r.Stats().Pauses; got != 3 {
			t.Fatalf("Stats.Pauses = %d, want 3 (set, extended, set)", got)
		}
	})
}

// A pause given as a wall-clock time (parsed from an HTTP-date, without
// a monotonic reading) works too.
func TestRatePauseWallClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: rate.Inf})
		until := time.Now().Add(5 * time.Second).Round(0) // strips the monotonic reading
		r.Pause("a", until)
		if got := r.PausedUntil("a"); !got.Equal(until) {
			t.Fatalf("PausedUntil = %v, want %v", got, until)
		}
		time.Sleep(5 * time.Second)
		mustAllow(t, r, "a")
	})
}

func TestRateWaitForToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 10, Burst: 1})
		ctx := context.Background()
		start := time.Now()
		for i := range 3 {
			if err := r.Wait(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if got, want := time.Since(start), time.Duration(i)*100*time.Millisecond; got != want {
				t.Fatalf("Wait %d returned after %v, want %v", i, got, want)
			}
		}
		s := r.Stats()
		if s.Allowed != 3 || s.Waited != 2 || s.Rejected != 0 {
			t.Fatalf("Stats = %+v, want 3 allowed, 2 waited", s)
		}
	})
}

func TestRateWaitDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 10, Burst: 1})
		mustAllow(t, r, "a")

		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := r.Wait(ctx, "a")
		if !errors.Is(err, limiter.ErrLimited) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want ErrLimited and DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 0 {
			t.Fatalf("Wait waited %v before failing, want 0 (fail fast)", d)
		}
		for _, want := range []string{`key "a"`, "rate limit 10/s", "waiting 100ms would pass the context deadline (in 50ms)"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		// The failed Wait kept no token: the next one waits 100ms, not 200ms.
		if err := r.Wait(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Fatalf("next Wait returned after %v, want 100ms", d)
		}
		// A deadline that leaves enough time is fine.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel2()
		if err := r.Wait(ctx2, "a"); err != nil {
			t.Fatalf("Wait with exactly enough time: %v", err)
		}
		if s := r.Stats(); s.Rejected != 1 || s.Allowed != 3 {
			t.Fatalf("Stats = %+v, want 1 rejected, 3 allowed", s)
		}
	})
}

func TestRateWaitPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1000})
		t0 := time.Now()
		r.Pause("a", t0.Add(2*time.Second))

		// A deadline before the end of the pause fails at once.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		err := r.Wait(ctx, "a")
		if !errors.Is(err, limiter.ErrLimited) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want ErrLimited and DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "paused by server pushback until") || !strings.Contains(err.Error(), "waiting 2s would pass the context deadline (in 1s)") {
			t.Fatalf("error %q does not say why", err)
		}
		if time.Since(t0) != 0 {
			t.Fatal("Wait waited before failing")
		}

		// Without one, Wait waits for the end of the pause, and for its
		// extension.
		done := make(chan error, 1)
		go func() { done <- r.Wait(context.Background(), "a") }()
		time.Sleep(time.Second)
		r.Pause("a", t0.Add(5*time.Second))
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Wait returned %v during the pause", err)
		default:
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(t0); d != 5*time.Second {
			t.Fatalf("Wait returned after %v, want 5s (the extended pause)", d)
		}
	})
}

// A pause that starts while Wait waits for a token holds it too.
func TestRateWaitPauseDuringTokenWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1, Burst: 1})
		mustAllow(t, r, "a")
		t0 := time.Now()
		done := make(chan error, 1)
		go func() { done <- r.Wait(context.Background(), "a") }()
		time.Sleep(500 * time.Millisecond)
		r.Pause("a", t0.Add(3*time.Second))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(t0); d != 3*time.Second {
			t.Fatalf("Wait returned after %v, want 3s", d)
		}
	})
}

func TestRateWaitCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1, Burst: 1})
		mustAllow(t, r, "a")

		// Cancelled before: no wait, the context's error.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := r.Wait(ctx, "a")
		if !errors.Is(err, context.Canceled) || errors.Is(err, limiter.ErrLimited) {
			t.Fatalf("Wait = %v, want Canceled and not ErrLimited", err)
		}

		// Cancelled while waiting for a token, with a cause.
		cause := errors.New("user went away")
		ctx2, cancel2 := context.WithCancelCause(context.Background())
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- r.Wait(ctx2, "a") }()
		time.Sleep(300 * time.Millisecond)
		cancel2(cause)
		err = <-done
		if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) || errors.Is(err, limiter.ErrLimited) {
			t.Fatalf("Wait = %v, want Canceled and the cause, not ErrLimited", err)
		}
		if !strings.Contains(err.Error(), "gave up after waiting 300ms") {
			t.Fatalf("error %q does not say how long it waited", err)
		}
		// Its token was given back: the next Wait gets the token due at 1s.
		if err := r.Wait(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("next Wait returned after %v, want 1s", d)
		}

		// Cancelled while waiting for a pause.
		r.Pause("a", time.Now().Add(10*time.Second))
		ctx3, cancel3 := context.WithTimeout(context.Background(), time.Minute)
		go func() { done <- r.Wait(ctx3, "a") }()
		time.Sleep(time.Second)
		cancel3()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait = %v, want Canceled", err)
		}
		s := r.Stats()
		if s.Canceled != 3 || s.Allowed != 2 || s.Waited != 3 {
			t.Fatalf("Stats = %+v, want 3 canceled, 2 allowed, 3 waited", s)
		}
	})
}

func TestRateMaxKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1, Burst: 1, MaxKeys: 2})
		mustAllow(t, r, "a")
		mustAllow(t, r, "b")
		mustReject(t, r, "a", "rate limit") // a is now the most recently used
		mustAllow(t, r, "c")                // evicts b
		if s := r.Stats(); s.Keys != 2 || s.Evictions != 1 {
			t.Fatalf("Stats = %+v, want 2 keys, 1 eviction", s)
		}
		mustReject(t, r, "a", "rate limit") // a kept its (empty) bucket
		mustAllow(t, r, "b")                // b is new: a full bucket; evicts c (unused since its insertion)
		mustReject(t, r, "a", "rate limit")
		mustAllow(t, r, "c") // evicts b
		s := r.Stats()
		want := limiter.RateStats{Allowed: 5, Rejected: 3, Keys: 2, Evictions: 3}
		if s != want {
			t.Fatalf("Stats = %+v, want %+v (evicted keys' counts kept)", s, want)
		}
	})
}

// A key inserted after another's last use is the more recent, even
// unused since (and whatever the keys' order).
func TestRateMaxKeysInsertionIsUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1, Burst: 1, MaxKeys: 2})
		mustAllow(t, r, "z")
		mustReject(t, r, "z", "rate limit") // z's last use
		mustAllow(t, r, "c")                // inserted after it
		mustAllow(t, r, "d")                // evicts z, not c
		mustReject(t, r, "c", "rate limit")
		mustAllow(t, r, "z") // new, full
	})
}

// Among keys used equally long ago, an unpaused one is evicted first.
func TestRateMaxKeysSparesPaused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1, Burst: 1, MaxKeys: 3})
		for _, k := range []string{"a", "b", "c"} {
			mustAllow(t, r, k)
		}
		for _, k := range []string{"a", "b", "c"} {
			mustReject(t, r, k, "rate limit") // all used since the latest insertion
		}
		r.Pause("a", time.Now().Add(time.Second))
		mustAllow(t, r, "d") // a, b and c are equally old; b is the first unpaused
		mustReject(t, r, "a", "paused")
		mustReject(t, r, "c", "rate limit") // kept its empty bucket
		mustAllow(t, r, "b")                // new, full; evicts d, unused since its insertion
		mustReject(t, r, "c", "rate limit")
	})
}

func TestRateAllowAllocs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := mustRate(t, limiter.RateConfig{Limit: 1, Burst: 1})
		mustAllow(t, r, "host")
		if n := testing.AllocsPerRun(100, func() { _ = r.Allow("host") }); n != 0 {
			t.Errorf("Allow of a rejected existing key: %v allocs, want 0", n)
		}
		r2 := mustRate(t, limiter.RateConfig{Limit: rate.Inf})
		mustAllow(t, r2, "host")
		if n := testing.AllocsPerRun(100, func() { _ = r2.Allow("host") }); n != 0 {
			t.Errorf("Allow of an allowed existing key: %v allocs, want 0", n)
		}
	})
}

func TestRateConcurrent(t *testing.T) {
	r := mustRate(t, limiter.RateConfig{Limit: 1e6, Burst: 100, MaxKeys: 8})
	const goroutines, calls = 8, 2000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				key := fmt.Sprintf("k%d", (g+i)%12) // 12 keys for 8 slots: evictions
				if i%100 == 0 {
					r.Pause(key, time.Now().Add(time.Microsecond))
				}
				_ = r.Allow(key)
				_ = r.PausedUntil(key)
			}
		})
	}
	wg.Wait()
	s := r.Stats()
	if s.Keys > 8 {
		t.Fatalf("Stats.Keys = %d beyond MaxKeys 8", s.Keys)
	}
	// Counts made on a key just as it was evicted may be lost; most are not.
	if got := s.Allowed + s.Rejected; got > goroutines*calls || got < goroutines*calls*9/10 {
		t.Fatalf("allowed+rejected = %d, want about %d", got, goroutines*calls)
	}
}

func TestRateConfig(t *testing.T) {
	for _, tc := range []struct {
		c    limiter.RateConfig
		want string
	}{
		{limiter.RateConfig{}, "Limit is zero"},
		{limiter.RateConfig{Limit: -1}, "Limit -1 must be positive"},
		{limiter.RateConfig{Limit: 1, Burst: -1}, "Burst -1 is negative"},
		{limiter.RateConfig{Limit: 1, MaxKeys: -1}, "MaxKeys -1 is negative"},
		{limiter.RateConfig{Limit: 1, MaxPause: -time.Second}, "MaxPause -1s is negative"},
	} {
		_, err := limiter.NewRate(tc.c)
		if !errors.Is(err, limiter.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewRate(%+v) = %v, want ErrInvalidConfig saying %q", tc.c, err, tc.want)
		}
	}
}
