package promx_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// Server pushback and a queue in front of a concurrency limit, on the fake
// clock: a 429 with Retry-After pauses its host (the next call is refused
// by the limit stage), and a second call to a slow host waits in the queue
// for exactly the first one's 50ms.
func TestLoadControlSeries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy, err := chaos.New(chaos.Config{Phases: []chaos.Phase{{Status: 1, StatusCode: 429, RetryAfter: "2"}}})
		if err != nil {
			t.Fatal(err)
		}
		slow, err := chaos.New(chaos.Config{Phases: []chaos.Phase{{Latency: chaos.Latency{P: 1, Dist: chaos.Fixed(50 * time.Millisecond)}}}})
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		defer slow.Close()
		busyRT, slowRT := busy.RoundTripper(okStub), slow.RoundTripper(okStub)
		base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if req.URL.Host == "busy.test" {
				return busyRT.RoundTrip(req)
			}
			return slowRT.RoundTrip(req)
		})

		reg := prometheus.NewPedanticRegistry()
		m, err := promx.New(promx.Config{Registerer: reg})
		if err != nil {
			t.Fatal(err)
		}
		rt, err := transport.New(transport.Config{
			Base:    base,
			Breaker: transport.BreakerConfig{Off: true},
			Limit: transport.LimitConfig{
				FailFast:    true, // refuse during the pause: the refusal is what is counted
				Concurrency: &transport.ConcurrencyConfig{Limit: 1},
				Queue:       &queue.Config{Policy: queue.FIFO},
			},
			Hooks: m.Hooks(),
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(rt)

		// A POST is not retried: the 429 comes back, and pauses the host.
		if status, err := do(rt, http.MethodPost, "http://busy.test/orders"); status != 429 || err != nil {
			t.Fatalf("POST: %d %v, want 429", status, err)
		}
		if _, err := get(rt, "http://busy.test/orders"); !errors.Is(err, limiter.ErrLimited) {
			t.Fatalf("GET during the pause: %v, want limiter.ErrLimited", err)
		}

		var wg sync.WaitGroup
		wg.Go(func() { get(rt, "http://slow.test/") })
		synctest.Wait() // the first holds the only slot
		wg.Go(func() { get(rt, "http://slow.test/") })
		synctest.Wait() // the second waits for it
		wantSeries(t, reg, `
			resilient_limit_concurrency{host="busy.test"} 1
			resilient_limit_concurrency{host="slow.test"} 1
			resilient_limit_in_flight{host="busy.test"} 0
			resilient_limit_in_flight{host="slow.test"} 1
			resilient_queue_depth{host="busy.test"} 0
			resilient_queue_depth{host="slow.test"} 1
		`, "resilient_limit_concurrency", "resilient_limit_in_flight", "resilient_queue_depth")
		wg.Wait()

		wantSeries(t, reg, `
			resilient_calls_total{host="busy.test",outcome="error_status"} 1
			resilient_calls_total{host="busy.test",outcome="refused"} 1
			resilient_calls_total{host="slow.test",outcome="success"} 2
			resilient_attempts_total{code="4xx",host="busy.test"} 1
			resilient_attempts_total{code="2xx",host="slow.test"} 2
			resilient_pushback_pauses_total{host="busy.test"} 1
			resilient_rejections_total{host="busy.test",stage="limit"} 1
			resilient_limit_concurrency{host="busy.test"} 1
			resilient_limit_concurrency{host="slow.test"} 1
			resilient_limit_in_flight{host="busy.test"} 0
			resilient_limit_in_flight{host="slow.test"} 0
			resilient_queue_depth{host="busy.test"} 0
			resilient_queue_depth{host="slow.test"} 0
			resilient_throttle_reject_probability{host="busy.test"} 0
			resilient_throttle_reject_probability{host="slow.test"} 0
			resilient_queue_wait_seconds_bucket{host="busy.test",le="0.001"} 1
			resilient_queue_wait_seconds_bucket{host="busy.test",le="0.005"} 1
			resilient_queue_wait_seconds_bucket{host="busy.test",le="0.025"} 1
			resilient_queue_wait_seconds_bucket{host="busy.test",le="0.1"} 1
			resilient_queue_wait_seconds_bucket{host="busy.test",le="0.5"} 1
			resilient_queue_wait_seconds_bucket{host="busy.test",le="+Inf"} 1
			resilient_queue_wait_seconds_sum{host="busy.test"} 0
			resilient_queue_wait_seconds_count{host="busy.test"} 1
			resilient_queue_wait_seconds_bucket{host="slow.test",le="0.001"} 1
			resilient_queue_wait_seconds_bucket{host="slow.test",le="0.005"} 1
			resilient_queue_wait_seconds_bucket{host="slow.test",le="0.025"} 1
			resilient_queue_wait_seconds_bucket{host="slow.test",le="0.1"} 2
			resilient_queue_wait_seconds_bucket{host="slow.test",le="0.5"} 2
			resilient_queue_wait_seconds_bucket{host="slow.test",le="+Inf"} 2
			resilient_queue_wait_seconds_sum{host="slow.test"} 0.05
			resilient_queue_wait_seconds_count{host="slow.test"} 2
		`, "resilient_calls_total", "resilient_attempts_total", "resilient_pushback_pauses_total",
			"resilient_rejections_total", "resilient_limit_concurrency", "resilient_limit_in_flight",
			"resilient_queue_depth", "resilient_throttle_reject_probability", "resilient_queue_wait_seconds",
			"resilient_retries_total", "resilient_breaker_state")
	})
}
