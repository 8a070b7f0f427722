package promx_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// An outage through the assembled stack, on synctest's fake clock so that
// every count and duration is exact: a healthy phase, an outage that trips
// the breaker and drains the retry budget, and a recovery that closes it.
// The scrape must show exactly the series below, and agree with what the
// chaos injector counted on its side.
func TestOutageScenarioSeries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inj, err := chaos.New(chaos.Config{Seed: 7, Phases: []chaos.Phase{
			{Name: "healthy", Duration: time.Second},
			{Name: "outage", Duration: 5 * time.Second, Status: 1}, // every request: 503
			{Name: "recovery"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer inj.Close()
		budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 3, NoFloor: true})
		if err != nil {
			t.Fatal(err)
		}

		reg := prometheus.NewPedanticRegistry()
		m, err := promx.New(promx.Config{Registerer: reg})
		if err != nil {
			t.Fatal(err)
		}
		rt, err := transport.New(transport.Config{
			Base:  inj.RoundTripper(okStub),
			Retry: transport.RetryConfig{MaxAttempts: 3, Backoff: backoff.Constant(10 * time.Millisecond), Budget: budget},
			// FailFast: call B is refused (by default it would wait for the
			// probe, a second later, and be it).
			Breaker: transport.BreakerConfig{
				FailFast:            true,
				ConsecutiveFailures: 3, BreakDuration: time.Second,
			},
			Hooks: m.Hooks(),
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(rt)
		const url = "http://api.test/v1/items?id=42" // the host is the label, never the URL

		// Before any call: the budget, and no host yet.
		wantSeries(t, reg, `resilient_retry_budget_available 3`,
			"resilient_retry_budget_available", "resilient_breaker_state", "resilient_calls_total")

		// Healthy: 10 calls, one attempt each. The breaker gauge shows
		// "closed" although the breaker never changed state.
		for range 10 {
			if status, err := get(rt, url); status != 200 || err != nil {
				t.Fatalf("healthy call: %d %v", status, err)
			}
		}
		wantSeries(t, reg, `
			resilient_breaker_state{host="api.test",state="closed"} 1
			resilient_breaker_state{host="api.test",state="disabled"} 0
			resilient_breaker_state{host="api.test",state="half-open"} 0
			resilient_breaker_state{host="api.test",state="isolated"} 0
			resilient_breaker_state{host="api.test",state="open"} 0
		`, "resilient_breaker_state")

		time.Sleep(time.Second) // outage
		// A: three 503s (two retries, budget 3 → 1); the third failure in
		// a row trips the breaker. The call returns the last 503.
		if status, err := get(rt, url); status != 503 || err != nil {
			t.Fatalf("call A: %d %v, want the last 503", status, err)
		}
		// B: the breaker is open: refused before sending.
		if _, err := get(rt, url); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("call B: %v, want breaker.ErrOpen", err)
		}
		wantSeries(t, reg, `
			resilient_breaker_state{host="api.test",state="closed"} 0
			resilient_breaker_state{host="api.test",state="disabled"} 0
			resilient_breaker_state{host="api.test",state="half-open"} 0
			resilient_breaker_state{host="api.test",state="isolated"} 0
			resilient_breaker_state{host="api.test",state="open"} 1
			resilient_retry_budget_available 1
		`, "resilient_breaker_state", "resilient_retry_budget_available")

		time.Sleep(time.Second) // the break ends: one probe
		// C: the probe meets a 503 and reopens the breaker; the retry
		// (budget 1 → 0) meets the open breaker.
		if _, err := get(rt, url); !errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("call C: %v, want breaker.ErrOpen after a failed probe", err)
		}
		time.Sleep(time.Second)
		// D: the probe meets a 503; the budget is empty: no retry.
		if status, err := get(rt, url); status != 503 || err != nil {
			t.Fatalf("call D: %d %v, want a 503", status, err)
		}

		time.Sleep(5 * time.Second) // recovery, and the break is over
		// E: the probe succeeds and closes the breaker.
		if status, err := get(rt, url); status != 200 || err != nil {
			t.Fatalf("call E: %d %v", status, err)
		}

		// Closing after half-open empties the breaker's window.
		wantSeries(t, reg, `
			resilient_calls_total{host="api.test",outcome="success"} 11
			resilient_calls_total{host="api.test",outcome="error_status"} 2
			resilient_calls_total{host="api.test",outcome="refused"} 2
			resilient_attempts_total{code="2xx",host="api.test"} 11
			resilient_attempts_total{code="5xx",host="api.test"} 5
			resilient_retries_total{host="api.test",reason="server_error"} 3
			resilient_retry_budget_exhausted_total{host="api.test"} 1
			resilient_rejections_total{host="api.test",stage="breaker"} 2
			resilient_breaker_transitions_total{from="closed",host="api.test",to="open"} 1
			resilient_breaker_transitions_total{from="open",host="api.test",to="half-open"} 3
			resilient_breaker_transitions_total{from="half-open",host="api.test",to="open"} 2
			resilient_breaker_transitions_total{from="half-open",host="api.test",to="closed"} 1
			resilient_breaker_state{host="api.test",state="closed"} 1
			resilient_breaker_state{host="api.test",state="disabled"} 0
			resilient_breaker_state{host="api.test",state="half-open"} 0
			resilient_breaker_state{host="api.test",state="isolated"} 0
			resilient_breaker_state{host="api.test",state="open"} 0
			resilient_breaker_window_calls{host="api.test"} 0
			resilient_breaker_window_failures{host="api.test"} 0
			resilient_retry_budget_available 0.2
			resilient_call_duration_seconds_bucket{host="api.test",le="0.005"} 13
			resilient_call_duration_seconds_bucket{host="api.test",le="0.01"} 14
			resilient_call_duration_seconds_bucket{host="api.test",le="0.025"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="0.05"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="0.1"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="0.25"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="0.5"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="1"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="2.5"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="5"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="10"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="15"} 15
			resilient_call_duration_seconds_bucket{host="api.test",le="+Inf"} 15
			resilient_call_duration_seconds_sum{host="api.test"} 0.03
			resilient_call_duration_seconds_count{host="api.test"} 15
		`, "resilient_calls_total", "resilient_attempts_total", "resilient_retries_total",
			"resilient_retry_budget_exhausted_total", "resilient_rejections_total",
			"resilient_breaker_transitions_total", "resilient_breaker_state",
			"resilient_breaker_window_calls", "resilient_breaker_window_failures",
			"resilient_retry_budget_available", "resilient_call_duration_seconds",
			"resilient_pushback_pauses_total", "resilient_pool_connections_total")

		// The other side of the wire agrees: every attempt counted above
		// reached the injector, and every 5xx was one of its faults.
		st := inj.Stats()
		if st.Requests != 16 || st.Status != 5 {
			t.Errorf("injector saw %d requests, %d with a 503; want 16 and 5", st.Requests, st.Status)
		}
	})
}
