package statusz_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

// A backend in an outage trips the client's breaker; the status page,
// mounted on the service's mux, shows it to people (HTML) and to machines
// (JSON, read here).
func ExampleNew() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer backend.Close()

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
	for range 6 {
		if resp, err := client.Get(backend.URL); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}

	page, err := statusz.New(statusz.Config{Title: "catalog client", Snapshot: stack.Snapshot})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/resilience", page)
	admin := httptest.NewServer(mux)
	defer admin.Close()

	resp, err := http.Get(admin.URL + "/debug/resilience?format=json")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var st statusz.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		panic(err)
	}
	fmt.Println(st.Title)
	for _, b := range st.Breakers {
		fmt.Printf("breaker %s: %d of %d calls failed, %d rejected\n", b.State, b.Failures, b.Calls, b.Rejected)
	}
	// Output:
	// catalog client
	// breaker open: 5 of 5 calls failed, 1 rejected
}

// A component outside the stack (here a cache) shows its state on the
// same page through a Section: a table of its own in the HTML page, and
// an entry under "sections" in the JSON document.
func ExampleSection() {
	var entries, misses atomic.Int64
	entries.Store(120)
	misses.Store(3)
	cache := statusz.Section{Title: "Token cache", Rows: func() []statusz.Row {
		return []statusz.Row{
			{Name: "Entries", Value: strconv.FormatInt(entries.Load(), 10)},
			{Name: "Misses", Value: strconv.FormatInt(misses.Load(), 10), Bad: misses.Load() > 0},
		}
	}}
	stack, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	page, err := statusz.New(statusz.Config{Snapshot: stack.Snapshot, Sections: []statusz.Section{cache}})
	if err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?format=json", nil))
	var st statusz.Status
	if err := json.NewDecoder(rec.Body).Decode(&st); err != nil {
		panic(err)
	}
	for _, sec := range st.Sections {
		for _, r := range sec.Rows {
			fmt.Printf("%s: %s = %s (bad: %v)\n", sec.Title, r.Name, r.Value, r.Bad)
		}
	}
	// Output:
	// Token cache: Entries = 120 (bad: false)
	// Token cache: Misses = 3 (bad: true)
}
