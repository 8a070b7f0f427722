package statuspage_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

// A backend goes down; the client's breaker opens; the status page that
// the service mounts shows it, as HTML to a person and as JSON to a
// script.
func Example() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer backend.Close()

	// The client: the recommended stack, with a breaker that trips after
	// 5 calls so that the example is short.
	stack, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{Off: true},
		Breaker: transport.BreakerConfig{
			MinThroughput: 5, BreakDuration: time.Minute,
		},
	})
	if err != nil {
		panic(err)
	}
	defer stack.CloseIdleConnections()
	client := &http.Client{Transport: stack}

	// The status page, on the service's admin mux.
	page, err := statusz.New(statusz.Config{Title: "catalog client", Snapshot: stack.Snapshot})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /debug/resilience", page)
	admin := httptest.NewServer(mux)
	defer admin.Close()

	for range 6 {
		if resp, err := client.Get(backend.URL); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}

	// A person: the HTML page, which reloads itself every 5 s.
	resp, err := http.Get(admin.URL + "/debug/resilience")
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Header.Get("Content-Type"))
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		if line := lines.Text(); strings.Contains(line, "http-equiv") || strings.Contains(line, `id="summary"`) {
			fmt.Println(strings.ReplaceAll(line, strings.TrimPrefix(backend.URL, "http://"), "BACKEND"))
		}
	}
	resp.Body.Close()

	// A script: the same snapshot as JSON.
	req, _ := http.NewRequest(http.MethodGet, admin.URL+"/debug/resilience", nil)
	req.Header.Set("Accept", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var st statusz.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		panic(err)
	}
	for _, b := range st.Breakers {
		fmt.Printf("%s: failure rate %.0f %% over %d calls, %d rejected, next probe in %s\n",
			b.State, 100*b.FailureRate, b.Calls, b.Rejected, b.OpenUntil.Sub(st.Time).Round(time.Minute))
	}
	// Output:
	// text/html; charset=utf-8
	// <meta http-equiv="refresh" content="5">
	// <p id="summary" class="summary bad">breaker open: BACKEND</p>
	// open: failure rate 100 % over 5 calls, 1 rejected, next probe in 1m0s
}
