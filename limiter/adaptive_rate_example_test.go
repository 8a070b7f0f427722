package limiter_test

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

func ExampleAdaptiveRate() {
	// A manual clock, so that the output does not depend on timing.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := limiter.NewAdaptiveRate(limiter.AdaptiveRateConfig{
		Name: "api.example.com",
		Now:  func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	// Until the server throttles, nothing is limited.
	fmt.Println("unlimited:", a.Limit() == rate.Inf)

	// 100 calls per second go out and come back fine for 2 seconds...
	for range 200 {
		now = now.Add(10 * time.Millisecond)
		a.Succeeded()
	}
	// ...then the server answers one with 429: the rate is cut to 0.7 ×
	// the 100/s measured, and the bucket starts empty.
	a.Throttled()
	fmt.Printf("after the 429: %.0f/s\n", a.Limit())
	err = a.Allow()
	fmt.Println("limited:", errors.Is(err, limiter.ErrLimited))
	fmt.Println(err)

	// The rate grows back along the cubic curve: to 100/s after
	// K = ∛(100 × 0.3 / 0.4) ≈ 4.2 s, and past it after that.
	for _, wait := range []time.Duration{time.Second, 3200 * time.Millisecond, 2 * time.Second} {
		for range int(wait / (10 * time.Millisecond)) {
			now = now.Add(10 * time.Millisecond)
			a.Succeeded()
		}
		fmt.Printf("%v later: %.1f/s\n", now.Sub(time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)), a.Limit())
	}
	// Output:
	// unlimited: true
	// after the 429: 70/s
	// limited: true
	// limiter: limited: key "api.example.com": adaptive rate 70/s (burst 70) reached, set by server throttling
	// 1s later: 86.7/s
	// 4.2s later: 100.0/s
	// 6.2s later: 103.1/s
}
