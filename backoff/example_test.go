package backoff_test

import (
	"fmt"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

func ExampleNew() {
	s, err := backoff.New(backoff.Config{
		Base:   100 * time.Millisecond,
		Max:    2 * time.Second,
		Jitter: backoff.FullJitter,
		// A fixed draw makes the output deterministic; leave Rand nil in
		// production to use math/rand/v2.
		Rand: func() float64 { return 0.5 },
	})
	if err != nil {
		panic(err)
	}
	for attempt := range 7 {
		fmt.Printf("retry %d: wait %v\n", attempt+1, s.Backoff(attempt))
	}

	_, err = backoff.New(backoff.Config{Multiplier: 0.5})
	fmt.Println(err)
	// Output:
	// retry 1: wait 50ms
	// retry 2: wait 100ms
	// retry 3: wait 200ms
	// retry 4: wait 400ms
	// retry 5: wait 800ms
	// retry 6: wait 1s
	// retry 7: wait 1s
	// backoff: invalid config: Multiplier 0.5 must be a finite number >= 1
}

func ExampleParseRetryAfter() {
	now := time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)
	maxWait := time.Minute

	for _, v := range []string{
		"30",                            // delta-seconds
		"3600",                          // clamped to maxWait
		"Sat, 01 Mar 2025 12:00:45 GMT", // HTTP-date, 45s after now
		"Sat, 01 Mar 2025 11:00:00 GMT", // in the past: retry now
		"soon",                          // malformed: use your own backoff
	} {
		d, ok := backoff.ParseRetryAfter(v, now, maxWait)
		fmt.Printf("%q: %v %v\n", v, d, ok)
	}
	// Output:
	// "30": 30s true
	// "3600": 1m0s true
	// "Sat, 01 Mar 2025 12:00:45 GMT": 45s true
	// "Sat, 01 Mar 2025 11:00:00 GMT": 0s true
	// "soon": 0s false
}

func ExampleBudget() {
	b, err := backoff.NewBudget(backoff.BudgetConfig{
		Ratio:        0.2, // retries ≤ 20 % of successes …
		MaxTokens:    3,   // … in bursts of at most 3 …
		MinPerSecond: 1,   // … plus one per second
	})
	if err != nil {
		panic(err)
	}

	// The bucket starts full: a cold client may retry a little.
	granted := 0
	for b.TryRetry() {
		granted++
	}
	fmt.Println("retries from a full bucket:", granted)

	// Each success deposits Ratio tokens: 5 successes pay for 1 retry.
	// (The floor refills the bucket with time too, even without traffic:
	// a second from now, one more retry would be granted.)
	for range 5 {
		b.Success()
	}
	fmt.Println("after 5 successes:", b.TryRetry(), b.TryRetry())

	// A refused retry is reported by wrapping ErrBudgetExhausted.
	err = fmt.Errorf("GET /items: %w", backoff.ErrBudgetExhausted)
	fmt.Println(err)
	// Output:
	// retries from a full bucket: 3
	// after 5 successes: true false
	// GET /items: backoff: retry budget exhausted
}
