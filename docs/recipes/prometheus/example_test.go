package prometheus_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// A service calls two backends through one resilient client and exports
// what the client does on its /metrics page. The search backend is down:
// its breaker opens, and the scrape shows it.
func Example() {
	payments := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "paid")
	}))
	defer payments.Close()
	search := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer search.Close()

	// 1. The metrics, on the registry that the service serves.
	reg := prometheus.NewRegistry()
	metrics, err := promx.New(promx.Config{
		Registerer:  reg,
		ConstLabels: prometheus.Labels{"client": "backends"}, // tells several clients apart
	})
	if err != nil {
		panic(err)
	}

	// 2. The client: the metrics' hooks, joined with any others (here a
	// logger that only speaks up for warnings).
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	rt, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{MaxAttempts: 3, Backoff: backoff.Constant(time.Millisecond)},
		Breaker: transport.BreakerConfig{
			ConsecutiveFailures: 3, BreakDuration: time.Minute,
		},
		Hooks: transport.JoinHooks(metrics.Hooks(), transport.SlogHooks(logger)),
	})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	// 3. The gauges (breaker states, budget, limits, pool) are read from
	// the client at each scrape.
	metrics.Observe(rt)
	client := &http.Client{Transport: rt}

	for range 3 {
		call(client, payments.URL+"/charge")
	}
	call(client, search.URL+"/q?term=shoes") // three 503s: the breaker opens
	call(client, search.URL+"/q?term=boots") // refused at once

	// What Prometheus scrapes (the service would mount the handler on its
	// own mux: mux.Handle("/metrics", promhttp.HandlerFor(reg, ...))).
	scrape := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer scrape.Close()
	names := strings.NewReplacer(
		strings.TrimPrefix(payments.URL, "http://"), "payments",
		strings.TrimPrefix(search.URL, "http://"), "search")
	show := []string{"resilient_calls_total", "resilient_retries_total", "resilient_rejections_total",
		"resilient_breaker_transitions_total", `resilient_breaker_state{client="backends",host="search",state="open"}`}
	var shown []string
	for _, line := range scrapeLines(scrape.URL) {
		line = names.Replace(line)
		for _, prefix := range show {
			if strings.HasPrefix(line, prefix) {
				shown = append(shown, line)
			}
		}
	}
	slices.Sort(shown) // by name, not by port
	fmt.Println(strings.Join(shown, "\n"))
	// Output:
	// resilient_breaker_state{client="backends",host="search",state="open"} 1
	// resilient_breaker_transitions_total{client="backends",from="closed",host="search",to="open"} 1
	// resilient_calls_total{client="backends",host="payments",outcome="success"} 3
	// resilient_calls_total{client="backends",host="search",outcome="error_status"} 1
	// resilient_calls_total{client="backends",host="search",outcome="refused"} 1
	// resilient_rejections_total{client="backends",host="search",stage="breaker"} 1
	// resilient_retries_total{client="backends",host="search",reason="server_error"} 2
}

// call makes one GET and reads the answer, whatever it is.
func call(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// scrapeLines fetches a metrics page and returns its lines.
func scrapeLines(url string) []string {
	resp, err := http.Get(url)
	if err != nil {
		panic(err)
	}
	defer http.DefaultClient.CloseIdleConnections()
	defer resp.Body.Close()
	var lines []string
	for s := bufio.NewScanner(resp.Body); s.Scan(); {
		lines = append(lines, s.Text())
	}
	return lines
}
