package limiter_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilient-go/resilient/limiter"
)

func ExampleRate() {
	// 1 call per second per host, in bursts of up to 2.
	r, err := limiter.NewRate(limiter.RateConfig{Limit: 1, Burst: 2})
	if err != nil {
		panic(err)
	}
	const host = "api.example.com"
	for range 3 {
		fmt.Println(r.Allow(host))
	}

	// The server answers 503 with Retry-After: 2: pause the host.
	r.Pause(host, time.Now().Add(2*time.Second))
	err = r.Allow(host)
	fmt.Println("limited:", errors.Is(err, limiter.ErrLimited))
	fmt.Println("paused for:", time.Until(r.PausedUntil(host)).Round(time.Second))
	fmt.Println("other hosts:", r.Allow("cdn.example.com"))
	// Output:
	// <nil>
	// <nil>
	// limiter: limited: key "api.example.com": rate limit 1/s (burst 2) reached
	// limited: true
	// paused for: 2s
	// other hosts: <nil>
}

func ExampleRate_Wait() {
	r, err := limiter.NewRate(limiter.RateConfig{Limit: 1, Burst: 1})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(r.Wait(ctx, "api.example.com")) // the burst: no wait

	// The next token is a second away: a Wait with 100ms left fails at
	// once instead of waiting in vain.
	ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err = r.Wait(ctx, "api.example.com")
	fmt.Println(errors.Is(err, limiter.ErrLimited), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// <nil>
	// true true
}

func ExampleConcurrency() {
	c, err := limiter.NewConcurrency(limiter.ConcurrencyConfig{Limit: 2}) // Fixed
	if err != nil {
		panic(err)
	}
	a, _ := c.Acquire()
	b, _ := c.Acquire()
	_, err = c.Acquire()
	fmt.Println(err)

	a.Done(limiter.Success)
	fmt.Println("in flight:", c.InFlight())
	a, err = c.Acquire()
	fmt.Println("after Done:", err)
	a.Done(limiter.Success)
	b.Done(limiter.Success)
	// Output:
	// limiter: limited: concurrency limit 2 reached
	// in flight: 1
	// after Done: <nil>
}

func ExampleConcurrency_adaptive() {
	c, err := limiter.NewConcurrency(limiter.ConcurrencyConfig{
		Algorithm: limiter.AIMD,
		Limit:     10,
		OnLimitChange: func(old, new int) {
			// Wire a queue in front: q.SetLimit(new).
			fmt.Printf("limit %d → %d\n", old, new)
		},
	})
	if err != nil {
		panic(err)
	}
	tok, _ := c.Acquire()
	tok.Done(limiter.Dropped) // a 503, a timeout: overload
	fmt.Println("limit:", c.Limit())
	// Output:
	// limit 10 → 9
	// limit: 9
}

func ExampleThrottle() {
	th, err := limiter.NewThrottle(limiter.ThrottleConfig{
		Rand: func() float64 { return 0.25 }, // deterministic, for the example
	})
	if err != nil {
		panic(err)
	}
	// A healthy backend accepts every request.
	for range 100 {
		if th.Allow() == nil {
			th.Accepted()
		}
	}
	fmt.Printf("healthy: P = %.2f\n", th.RejectProbability())

	// It starts refusing everything. With K = 2, requests up to twice the
	// accepts still all go…
	for range 100 {
		_ = th.Allow() // sent, refused: no Accepted
	}
	fmt.Printf("200 requests, 100 accepted: P = %.2f\n", th.RejectProbability())
	// …then the client sheds more and more of them itself.
	for range 200 {
		_ = th.Allow()
	}
	fmt.Printf("400 requests, 100 accepted: P = %.2f\n", th.RejectProbability())
	fmt.Println(th.Allow())
	// Output:
	// healthy: P = 0.00
	// 200 requests, 100 accepted: P = 0.00
	// 400 requests, 100 accepted: P = 0.50
	// limiter: limited: client-side throttling p=0.50 (400 requests, 100 accepted in 2m0s)
}
