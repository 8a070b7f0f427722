package limiter_test

import (
	"errors"
	"fmt"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

func ExampleAdaptiveRate() {
	a, err := limiter.NewAdaptiveRate(limiter.AdaptiveRateConfig{Name: "api.example.com"})
	if err != nil {
		panic(err)
	}
	// Until the server throttles, nothing is limited.
	fmt.Println("unlimited:", a.Limit() == rate.Inf)

	// Report every call: Succeeded for a call the server did not
	// throttle, Throttled for a 429 (or a 503 with Retry-After). The
	// first throttle cuts the rate to 0.7 × the send rate measured (here
	// none yet: to MinRate, 0.5/s by default), and the bucket starts
	// empty.
	a.Throttled()
	fmt.Printf("after the 429: %.1f/s\n", a.Limit())
	err = a.Allow()
	fmt.Println("limited:", errors.Is(err, limiter.ErrLimited))
	fmt.Println(err)

	// From there, each Succeeded moves the rate along a cubic curve back
	// to the rate of the cut and past it (see TestAdaptiveRateCurveNarrated
	// for a curve drawn step by step).
	// Output:
	// unlimited: true
	// after the 429: 0.5/s
	// limited: true
	// limiter: limited: key "api.example.com": adaptive rate 0.5/s (burst 1) reached, set by server throttling
}
