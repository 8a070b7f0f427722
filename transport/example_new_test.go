package transport_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/resilient-go/resilient/transport"
)

// The assembled stack with its defaults: the first attempt meets a 503,
// the retry succeeds, and the snapshot shows the host's breaker.
func ExampleNew() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()

	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body), "after", calls.Load(), "attempts")

	for _, b := range rt.Snapshot().Breakers {
		fmt.Println("breaker:", b.State, b.Calls, "calls,", b.Failures, "failure")
	}
	// Output:
	// 200 hello after 2 attempts
	// breaker: closed 2 calls, 1 failure
}
