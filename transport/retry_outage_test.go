package transport_test

import (
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/transport"
)

// A total outage, injected by the chaos transport: with the default budget
// the backend sees at most 1.1 attempts per call, while plain max-attempts
// retrying multiplies the load by MaxAttempts.
func TestRetryOutageLoadAmplification(t *testing.T) {
	const calls, workers, maxAttempts = 4000, 8, 3
	run := func(t *testing.T, newBudget func() *backoff.Budget) float64 {
		var amplification float64
		synctest.Test(t, func(t *testing.T) {
			inj, err := chaos.New(chaos.Config{Seed: 7, Phases: []chaos.Phase{
				// Each failing request takes 20ms, so the fake clock (and with
				// it the budget's floor) advances as it would in production.
				{Name: "outage", Status: 1, StatusCode: http.StatusServiceUnavailable,
					Latency: chaos.Latency{P: 1, Dist: chaos.Fixed(20 * time.Millisecond)}},
			}})
			mustNoErr(t, err)
			defer inj.Close()
			rt := retrying(t, transport.RetryConfig{MaxAttempts: maxAttempts, Budget: newBudget()}, inj.RoundTripper(okStub))
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range calls / workers {
						req, _ := http.NewRequest("GET", "http://backend.test/", nil)
						resp, err := rt.RoundTrip(req)
						if err != nil || resp.StatusCode != 503 {
							t.Errorf("got %v %v, want the last 503", resp, err)
							return
						}
						resp.Body.Close()
					}
				})
			}
			wg.Wait()
			amplification = float64(inj.Stats().Requests) / calls
		})
		return amplification
	}

	// Built inside the bubble, so that the budget's floor runs on its clock.
	defaultBudget := func() *backoff.Budget {
		b, err := backoff.NewBudget(backoff.DefaultBudgetConfig())
		mustNoErr(t, err)
		return b
	}
	if got := run(t, defaultBudget); got > 1.1 {
		t.Errorf("default budget: %.3f attempts per call, want <= 1.1", got)
	} else {
		t.Logf("default budget: %.3f attempts per call", got)
	}
	if got := run(t, backoff.Unlimited); got != maxAttempts {
		t.Errorf("no budget: %.3f attempts per call, want exactly %d", got, maxAttempts)
	}
}

// A quiet client (a call a second) through a long outage: the retry stage
// reports each failed retry to its budget (backoff.Budget.Failed), so after
// the first calls' retries it retries about once per 11 s of the budget's
// floor, where a retry a second (the floor's rate) would double the dead
// server's load for as long as the outage lasts. (Breaker off: this is the
// retry stage's own share; a fleet of such clients is bench/fleetsim's.)
func TestRetryLongOutageQuietClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent sync.Mutex
		requests := 0
		dead := transport.RoundTripperFunc(func(*http.Request) (*http.Response, error) {
			sent.Lock()
			requests++
			sent.Unlock()
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: http.NoBody, Header: http.Header{}}, nil
		})
		rt, err := transport.New(transport.Config{Base: dead, Breaker: transport.BreakerConfig{Off: true}})
		mustNoErr(t, err)
		const calls = 120
		for range calls {
			req, _ := http.NewRequest("GET", "http://backend.test/", nil)
			resp, err := rt.RoundTrip(req)
			if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("got %v %v, want the last 503", resp, err)
			}
			resp.Body.Close()
			time.Sleep(time.Second)
		}
		retries := requests - calls
		t.Logf("%d calls over %d s of outage: %d retries", calls, calls, retries)
		if retries > 20 {
			t.Errorf("%d retries in a %d s outage, want <= 20 (the bucket's first five, then one per 11 s)", retries, calls)
		}
	})
}
