package transport_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

func limited(t testing.TB, cfg transport.LimitConfig, base http.RoundTripper, outer ...transport.Middleware) http.RoundTripper {
	t.Helper()
	mw, err := transport.Limit(cfg)
	mustNoErr(t, err)
	return transport.Chain(base, append(outer, mw)...)
}

// A 429 with Retry-After pauses the whole host: the next call is refused
// locally, without reaching the server, until the pause is over.
func TestLimitPushbackPausesTheHost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 429, retryAfter: "2"}, {status: 200}}}
		rt := limited(t, transport.LimitConfig{}, s)
		if resp, err := get(t, rt, "http://h.test/a"); err != nil || resp.StatusCode != 429 {
			t.Fatalf("first call: %v %v, want the 429", resp, err)
		}
		body := &trackedBody{Reader: strings.NewReader("x")}
		req, _ := http.NewRequest("PUT", "http://h.test/b", body)
		_, err := rt.RoundTrip(req)
		if !errors.Is(err, limiter.ErrLimited) || !transport.NotSent(err) || !strings.Contains(err.Error(), "pushback") {
			t.Fatalf("during the pause: err = %v, want ErrLimited (pushback), NotSent", err)
		}
		if s.Calls() != 1 || !body.closed.Load() {
			t.Fatalf("server saw %d calls (want 1); body closed = %v", s.Calls(), body.closed.Load())
		}
		// Another host is not paused.
		if _, err := get(t, rt, "http://other.test/"); err != nil {
			t.Fatalf("other host: %v", err)
		}
		time.Sleep(2 * time.Second)
		if resp, err := get(t, rt, "http://h.test/a"); err != nil || resp.StatusCode != 200 {
			t.Fatalf("after the pause: %v %v, want 200", resp, err)
		}
	})
}

// Inside Retry, the retry waits the server's Retry-After and then passes
// the pause: one wait, no wasted attempt.
func TestLimitPushbackWithRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 429, retryAfter: "3"}, {status: 200}}}
		retry, err := transport.Retry(transport.RetryConfig{Backoff: backoff.Constant(time.Millisecond)})
		mustNoErr(t, err)
		rt := limited(t, transport.LimitConfig{}, s, retry)
		start := time.Now()
		resp, err := get(t, rt, "http://h.test/")
		if err != nil || resp.StatusCode != 200 || time.Since(start) != 3*time.Second || s.Calls() != 2 {
			t.Fatalf("got %v %v after %v and %d sends; want 200 after 3s and 2 sends", resp, err, time.Since(start), s.Calls())
		}
	})
}

func TestLimitRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, err := limiter.NewRate(limiter.RateConfig{Limit: 10, Burst: 1})
		mustNoErr(t, err)
		rt := limited(t, transport.LimitConfig{Rate: r, FailFast: true}, okStub)
		if _, err := get(t, rt, "http://h.test/"); err != nil {
			t.Fatal(err)
		}
		if _, err := get(t, rt, "http://h.test/"); !errors.Is(err, limiter.ErrLimited) {
			t.Fatalf("second call at once: err = %v, want ErrLimited", err)
		}

		r2, err := limiter.NewRate(limiter.RateConfig{Limit: 10, Burst: 1})
		mustNoErr(t, err)
		rt = limited(t, transport.LimitConfig{Rate: r2}, okStub) // waits by default
		start := time.Now()
		for range 3 {
			if _, err := get(t, rt, "http://h.test/"); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 200*time.Millisecond {
			t.Fatalf("3 calls at 10/s burst 1 took %v, want 200ms", got)
		}
	})
}

// blocking is a backend that holds every request until released.
type blocking struct {
	inFlight, peak atomic.Int64
	release        chan struct{}
}

func (b *blocking) RoundTrip(req *http.Request) (*http.Response, error) {
	n := b.inFlight.Add(1)
	for {
		p := b.peak.Load()
		if n <= p || b.peak.CompareAndSwap(p, n) {
			break
		}
	}
	defer b.inFlight.Add(-1)
	select {
	case <-b.release:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
}

func TestLimitConcurrencyWithAndWithoutQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &blocking{release: make(chan struct{})}
		rt := limited(t, transport.LimitConfig{
			Concurrency: &transport.ConcurrencyConfig{Limit: 2},
			Queue:       &queue.Config{NoQueue: true},
		}, b)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { get(t, rt, "http://h.test/") })
		}
		synctest.Wait()
		_, err := get(t, rt, "http://h.test/")
		if !errors.Is(err, queue.ErrFull) && !errors.Is(err, limiter.ErrLimited) {
			t.Fatalf("third call: err = %v, want a rejection", err)
		}
		close(b.release)
		wg.Wait()
	})

	synctest.Test(t, func(t *testing.T) {
		b := &blocking{release: make(chan struct{})}
		rt := limited(t, transport.LimitConfig{
			Concurrency: &transport.ConcurrencyConfig{Limit: 2},
			Queue:       &queue.Config{MaxDepth: 2, MaxWait: time.Minute, Policy: queue.FIFO},
		}, b)
		var wg sync.WaitGroup
		var ok atomic.Int64
		for range 4 {
			wg.Go(func() {
				if _, err := get(t, rt, "http://h.test/"); err == nil {
					ok.Add(1)
				}
			})
		}
		synctest.Wait()
		if b.inFlight.Load() != 2 {
			t.Fatalf("%d in flight at the backend, want the limit 2", b.inFlight.Load())
		}
		// A fifth finds the queue full.
		if _, err := get(t, rt, "http://h.test/"); !errors.Is(err, queue.ErrFull) {
			t.Fatalf("fifth call: err = %v, want queue.ErrFull", err)
		}
		close(b.release)
		wg.Wait()
		if ok.Load() != 4 || b.peak.Load() != 2 {
			t.Fatalf("%d of 4 succeeded, peak %d in flight; want 4 and 2", ok.Load(), b.peak.Load())
		}
	})
}

func TestLimitConfigErrors(t *testing.T) {
	for _, cfg := range []transport.LimitConfig{
		{MaxPause: -1},
		{MaxHosts: -1},
		{Concurrency: &transport.ConcurrencyConfig{Limit: -1}},
		{Concurrency: &transport.ConcurrencyConfig{}, Queue: &queue.Config{MaxDepth: -1}},
	} {
		if _, err := transport.Limit(cfg); err == nil {
			t.Errorf("Limit(%+v) accepted a bad config", cfg)
		}
	}
	if _, err := transport.Limit(transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{Limit: -1}}); !errors.Is(err, limiter.ErrInvalidConfig) {
		t.Errorf("err = %v, want limiter.ErrInvalidConfig", err)
	}
}

// Our own rejections are Ignored and not retryable: a Retry outside does
// not wait on them or spend budget.
func TestLimitRejectionIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, err := limiter.NewRate(limiter.RateConfig{Limit: rate.Every(time.Hour), Burst: 1})
		mustNoErr(t, err)
		var attempts int
		retry, err := transport.Retry(transport.RetryConfig{Hooks: transport.RetryHooks{OnAttempt: func(transport.RetryEvent) { attempts++ }}})
		mustNoErr(t, err)
		rt := limited(t, transport.LimitConfig{Rate: r, FailFast: true}, okStub, retry)
		get(t, rt, "http://h.test/")
		attempts = 0
		start := time.Now()
		_, err = get(t, rt, "http://h.test/")
		if !errors.Is(err, limiter.ErrLimited) || attempts != 1 || time.Since(start) != 0 {
			t.Fatalf("err=%v, %d attempts, after %v; want ErrLimited at once after 1", err, attempts, time.Since(start))
		}
	})
}

// With client-side throttling, a host that refuses everything sees a
// shrinking share of the client's requests; the rest are refused locally.
func TestLimitThrottleShedsLocallyWhenTheHostRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent atomic.Int64
		refusing := stubFunc(func(req *http.Request) (*http.Response, error) {
			sent.Add(1)
			return &http.Response{StatusCode: 503, Body: http.NoBody, Header: http.Header{}}, nil
		})
		rt := limited(t, transport.LimitConfig{Throttle: &limiter.ThrottleConfig{}}, refusing)
		const calls = 1000
		var local int
		for range calls {
			_, err := get(t, rt, "http://h.test/")
			if errors.Is(err, limiter.ErrLimited) && strings.Contains(err.Error(), "throttling") {
				local++
			}
			time.Sleep(10 * time.Millisecond)
		}
		if local == 0 || sent.Load() == 0 || int(sent.Load())+local != calls {
			t.Fatalf("%d sent, %d refused locally, of %d: want both, adding up", sent.Load(), local, calls)
		}
		if local < calls/2 {
			t.Fatalf("only %d of %d refused locally while the host refused everything", local, calls)
		}
		t.Logf("host refusing everything: %d of %d calls sent, %d refused locally", sent.Load(), calls, local)
	})
}
