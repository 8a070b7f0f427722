package retryablehttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/retryablehttpx"
)

// adopt gives an existing go-retryablehttp client our jittered backoff and
// our retry budget, and keeps everything else of it (RetryMax, hooks, its
// HTTPClient). Share one budget per backend.
func adopt(c *retryablehttp.Client, budget *backoff.Budget) error {
	strategy, err := backoff.New(backoff.Config{
		Base: 50 * time.Millisecond, // replaces RetryWaitMin
		Max:  2 * time.Second,       // replaces RetryWaitMax (which now caps only Retry-After)
	}) // full jitter: U(0, min(Max, Base·2^n))
	if err != nil {
		return err
	}
	// Installs Backoff, CheckRetry (our classification) and a PrepareRetry
	// that withdraws one budget token per retry actually made.
	return retryablehttpx.Configure(c, retryablehttpx.Config{
		Backoff: strategy,
		Budget:  budget, // Classifier nil: transport.DefaultClassifier
	})
}

// A retryablehttp client with our backoff and budget: two 503s, then the
// third attempt succeeds.
func Example() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()

	client := retryablehttp.NewClient() // the client you already have
	client.Logger = nil
	defer client.HTTPClient.CloseIdleConnections()
	budget, err := backoff.NewBudget(backoff.BudgetConfig{}) // 20 % of successes, bursts of 10, 1/s floor
	if err != nil {
		panic(err)
	}
	if err := adopt(client, budget); err != nil {
		panic(err)
	}

	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "after", calls.Load(), "attempts")
	// Output:
	// 200 OK after 3 attempts
}

// A total outage: every call fails. retryablehttp alone would send RetryMax+1
// = 4 attempts per call, 40 for 10 calls. With the budget (4 tokens here, and
// no time-based floor, to keep the count exact) the first call makes its 3
// retries, the second spends the last token on one retry; the budget then
// refuses every retry, and each later call is tried once and returns the
// server's 500 as it is: 14 attempts, 1.4 times the traffic instead of 4
// times. Successes refill the budget (each one deposits 0.2 token by
// default).
func Example_outage() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer backend.Close()

	client := retryablehttp.NewClient()
	client.Logger = nil
	client.RetryMax = 3
	defer client.HTTPClient.CloseIdleConnections()
	budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 4, NoFloor: true})
	if err != nil {
		panic(err)
	}
	if err := adopt(client, budget); err != nil {
		panic(err)
	}

	for i := 1; i <= 10; i++ {
		before := calls.Load()
		resp, err := client.Get(backend.URL)
		if err != nil {
			fmt.Printf("call %d: %d attempts, then retryablehttp gave up (RetryMax)\n", i, calls.Load()-before)
			continue
		}
		resp.Body.Close()
		if i <= 3 || i == 10 {
			fmt.Printf("call %d: %d attempts, %s\n", i, calls.Load()-before, resp.Status)
		}
	}
	fmt.Println("attempts for 10 calls:", calls.Load())
	// Output:
	// call 1: 4 attempts, then retryablehttp gave up (RetryMax)
	// call 2: 2 attempts, 500 Internal Server Error
	// call 3: 1 attempts, 500 Internal Server Error
	// call 10: 1 attempts, 500 Internal Server Error
	// attempts for 10 calls: 14
}
