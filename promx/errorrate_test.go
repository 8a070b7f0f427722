package promx_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/internal/chaos"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// The selectors of the error-ratio query that docs/alerts documents (and
// records as resilient:call_error_ratio:rate5m): every call that did not
// end in success is an error for its caller, and calls the caller
// canceled count neither way.
const (
	errorSelector = `resilient_calls_total{outcome!~"success|canceled"}`
	totalSelector = `resilient_calls_total{outcome!="canceled"}`
)

// Issue 20: during an outage the calls that the open breaker refused
// failed for their callers, yet they were counted as outcome="ignored",
// and an error-rate panel showed 1 failure in 60 calls. Here 8 calls
// succeed, one meets the outage's 503 and trips the breaker, and the 51
// after it are refused: the scrape must count them as refused, and the
// documented error ratio computed from it must be 52/60.
func TestOutageRefusedCallsAreErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inj, err := chaos.New(chaos.Config{Seed: 1, Phases: []chaos.Phase{
			{Name: "healthy", Duration: time.Second},
			{Name: "outage", Status: 1}, // every request: 503
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer inj.Close()
		reg := prometheus.NewPedanticRegistry()
		m, err := promx.New(promx.Config{Registerer: reg})
		if err != nil {
			t.Fatal(err)
		}
		rt, err := transport.New(transport.Config{
			Base:  inj.RoundTripper(okStub),
			Retry: transport.RetryConfig{Off: true},
			Breaker: transport.BreakerConfig{FailFast: true,
				ConsecutiveFailures: 1, BreakDuration: time.Minute,
			},
			Hooks: m.Hooks(),
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(rt)
		const url = "http://api.test/v1/items"
		for range 8 {
			if status, err := get(rt, url); status != 200 || err != nil {
				t.Fatalf("healthy call: %d %v", status, err)
			}
		}
		time.Sleep(time.Second) // outage
		if status, err := get(rt, url); status != 503 || err != nil {
			t.Fatalf("first call in the outage: %d %v, want a 503", status, err)
		}
		for range 51 {
			if _, err := get(rt, url); !errors.Is(err, breaker.ErrOpen) {
				t.Fatalf("call during the outage: %v, want breaker.ErrOpen", err)
			}
		}
		wantSeries(t, reg, `
			resilient_calls_total{host="api.test",outcome="success"} 8
			resilient_calls_total{host="api.test",outcome="error_status"} 1
			resilient_calls_total{host="api.test",outcome="refused"} 51
			resilient_rejections_total{host="api.test",stage="breaker"} 51
		`, "resilient_calls_total", "resilient_rejections_total")

		// The documented query, over the counts of one scrape.
		errs, total := 0.0, 0.0
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != "resilient_calls_total" {
				continue
			}
			for _, mt := range mf.GetMetric() {
				outcome := ""
				for _, lp := range mt.GetLabel() {
					if lp.GetName() == "outcome" {
						outcome = lp.GetValue()
					}
				}
				v := mt.GetCounter().GetValue()
				if outcome != promx.OutcomeCanceled {
					total += v
					if outcome != promx.OutcomeSuccess {
						errs += v
					}
				}
			}
		}
		if ratio := errs / total; ratio != 52.0/60 {
			t.Errorf("error ratio from the scrape = %.3f (%v of %v), want 52/60 = %.3f", ratio, errs, total, 52.0/60)
		}
	})
}

// The rules file records the error ratio with the selectors above, and the
// alerts README and the Prometheus recipe document the same query.
func TestErrorRatioQueryDocumented(t *testing.T) {
	for _, file := range []string{
		filepath.Join(alertsDir, "resilient.rules.yml"),
		filepath.Join(alertsDir, "README.md"),
		filepath.Join("..", "docs", "recipes", "prometheus", "README.md"),
	} {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, sel := range []string{errorSelector, totalSelector} {
			if !strings.Contains(string(text), sel) {
				t.Errorf("%s does not hold the error-ratio selector %s", file, sel)
			}
		}
	}
}
