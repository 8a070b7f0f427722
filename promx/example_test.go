package promx_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// Metrics for the assembled stack: register on your registry, pass the
// hooks to transport.New, and let the Metrics read the Transport's
// snapshot at every scrape. The backend fails once; the retry succeeds.
func Example() {
	var n atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()

	reg := prometheus.NewRegistry()
	metrics, err := promx.New(promx.Config{Registerer: reg})
	if err != nil {
		panic(err)
	}
	rt, err := transport.New(transport.Config{Hooks: metrics.Hooks()})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	metrics.Observe(rt)

	resp, err := (&http.Client{Transport: rt}).Get(backend.URL + "/greeting")
	if err != nil {
		panic(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	// Scrape it as Prometheus would.
	scrape := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer scrape.Close()
	page, err := http.Get(scrape.URL)
	if err != nil {
		panic(err)
	}
	defer http.DefaultClient.CloseIdleConnections()
	defer page.Body.Close()
	host := strings.TrimPrefix(backend.URL, "http://")
	lines := bufio.NewScanner(page.Body)
	for lines.Scan() {
		line := strings.ReplaceAll(lines.Text(), host, "backend")
		for _, prefix := range []string{"resilient_calls_total", "resilient_attempts_total", "resilient_retries_total",
			`resilient_breaker_state{host="backend",state="closed"}`} {
			if strings.HasPrefix(line, prefix) {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// resilient_attempts_total{code="2xx",host="backend"} 1
	// resilient_attempts_total{code="5xx",host="backend"} 1
	// resilient_breaker_state{host="backend",state="closed"} 1
	// resilient_calls_total{host="backend",outcome="success"} 1
	// resilient_retries_total{host="backend",reason="server_error"} 1
}
