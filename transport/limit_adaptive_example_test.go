package transport_test

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync/atomic"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

func ExampleLimitConfig_adaptiveRate() {
	// A server that throttles the first request and serves the others.
	var n atomic.Int32
	server := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		status := http.StatusOK
		if n.Add(1) == 1 {
			status = http.StatusTooManyRequests
		}
		return &http.Response{StatusCode: status, Body: http.NoBody, Request: req}, nil
	})
	rt, err := transport.New(transport.Config{
		Base:  server,
		Retry: transport.RetryConfig{Off: true}, // to show each call's fate
		// FailFast shows the refusal; by default a call waits for its
		// turn when that comes within its deadline.
		Limit: transport.LimitConfig{FailFast: true},
	})
	if err != nil {
		panic(err)
	}
	call := func() {
		req, _ := http.NewRequest(http.MethodGet, "http://api.example.com/", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			fmt.Println("refused:", errors.Is(err, limiter.ErrLimited), "sent:", !transport.NotSent(err))
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	call() // unlimited until the first throttle: sent, and throttled
	h := rt.Snapshot().Hosts[0]
	fmt.Println(h.Host, "rate cut:", !math.IsInf(h.AdaptiveRate, 1), "paused:", !h.PausedUntil.IsZero())
	call() // the bucket is empty right after the cut: refused, not sent
	// Output:
	// 429
	// api.example.com rate cut: true paused: false
	// refused: true sent: false
}
