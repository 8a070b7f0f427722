package pushback_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// quotaServer answers its first request with 429 Too Many Requests and
// Retry-After: 1, and every later one with 200.
func quotaServer(calls *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "ok")
	}))
}

// A client-side rate limit (50 requests per second per host) that also
// obeys the server's pushback: the 429 with Retry-After pauses the whole
// host for this client, so the next call fails at once with
// limiter.ErrLimited, without reaching the server, until the pause is over.
// Retries are off and FailFast is on here to show the pause itself: by
// default a call waits for the pause to end when that comes before its
// deadline.
func Example() {
	var calls atomic.Int32
	backend := quotaServer(&calls)
	defer backend.Close()

	rate, err := limiter.NewRate(limiter.RateConfig{Limit: 50}) // per host; Burst defaults to 50
	if err != nil {
		panic(err)
	}
	var pausedUntil time.Time
	rt, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Off: true},
		Limit: transport.LimitConfig{Rate: rate, FailFast: true},
		Hooks: transport.Hooks{OnPushback: func(p transport.Pushback) {
			pausedUntil = p.Until
			fmt.Printf("server pushed back: host paused for about %v\n", time.Until(p.Until).Round(time.Second))
		}},
	})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	call := func() {
		resp, err := client.Get(backend.URL)
		switch {
		case errors.Is(err, limiter.ErrLimited):
			fmt.Printf("refused by the client, not sent (the server has seen %d call)\n", calls.Load())
		case err != nil:
			panic(err)
		default:
			resp.Body.Close()
			fmt.Println(resp.Status, "Retry-After:", resp.Header.Get("Retry-After"))
		}
	}
	call() // 429: the host is paused
	call() // refused at once, during the pause

	time.Sleep(time.Until(pausedUntil)) // a real caller would do other work
	call()                              // the pause is over
	// Output:
	// server pushed back: host paused for about 1s
	// 429 Too Many Requests Retry-After: 1
	// refused by the client, not sent (the server has seen 1 call)
	// 200 OK Retry-After:
}

// With retries on (the default), the call that met the 429 waits what the
// server asked, never less (backoff jitter does not go below Retry-After),
// and its retry succeeds: the caller sees only the 200, a second late.
func Example_retry() {
	var calls atomic.Int32
	backend := quotaServer(&calls)
	defer backend.Close()

	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	start := time.Now()
	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "after", calls.Load(), "attempts; waited at least Retry-After:", time.Since(start) >= time.Second)
	// Output:
	// 200 OK after 2 attempts; waited at least Retry-After: true
}
