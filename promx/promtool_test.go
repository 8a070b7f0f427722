package promx_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// A scrape with every feature on (a pooled stack over a loopback server
// with retries, load control, pushback and every call outcome, beside a
// balanced stack on the same registry) passes `promtool check metrics`,
// its linter of names, units, help and types. Skipped without promtool,
// except in CI (CI=true), where a missing promtool is a failure.
func TestScrapePassesPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found in CI (install the Debian package prometheus): %v", err)
		}
		t.Skipf("promtool not found (install the Debian package prometheus): %v", err)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fail":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/busy":
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer backend.Close()

	reg := prometheus.NewPedanticRegistry()
	pooled, err := promx.New(promx.Config{Registerer: reg, ConstLabels: prometheus.Labels{"client": "pooled"}})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{MaxAttempts: 2, Backoff: transport.DefaultRetryConfig().Backoff},
		Limit: transport.LimitConfig{
			FailFast:     true,
			Concurrency:  &transport.ConcurrencyConfig{Limit: 4},
			AdaptiveRate: &limiter.AdaptiveRateConfig{},
		},
		Hooks: pooled.Hooks(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.CloseIdleConnections()
	pooled.Observe(rt)
	for _, path := range []string{"/", "/", "/fail", "/busy", "/busy"} {
		_, _ = get(rt, backend.URL+path)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, backend.URL, nil)
	_, _ = rt.RoundTrip(req) // canceled by its caller, during the pause

	balanced, err := promx.New(promx.Config{Registerer: reg, ConstLabels: prometheus.Labels{"client": "balanced"}})
	if err != nil {
		t.Fatal(err)
	}
	brt := balancedStack(t, balanced)
	for range 6 {
		_, _ = get(brt, "http://users.internal/")
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var scrape bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&scrape, mf); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"resilient_pool_connections_total", "resilient_endpoint_attempts_total",
		"resilient_adaptive_rate_limit", `outcome="refused"`, `outcome="canceled"`, `outcome="error_status"`} {
		if !bytes.Contains(scrape.Bytes(), []byte(want)) {
			t.Errorf("the scrape lacks %s: not every feature is on", want)
		}
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = &scrape
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
		fmt.Fprintln(os.Stderr, scrape.String())
	}
}
