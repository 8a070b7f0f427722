package transport_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// A backend whose first answer is stuck: after 50ms a hedge is sent, it
// answers at once and wins, and the stuck attempt is cancelled.
func ExampleHedge() {
	var requests atomic.Int32
	backend := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if requests.Add(1) == 1 {
			<-req.Context().Done() // stuck until the hedge wins
			return nil, req.Context().Err()
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader("hello")), Request: req}, nil
	})

	hedge, err := transport.Hedge(transport.HedgeConfig{
		Delay: 50 * time.Millisecond, // or leave it zero: the p95 of recent calls
		OnHedge: func(req *http.Request, attempt int, delay time.Duration) {
			fmt.Printf("no answer after %v: sending attempt %d\n", delay, attempt)
		},
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: transport.Chain(backend, hedge)}

	resp, err := client.Get("http://backend.test/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// no answer after 50ms: sending attempt 2
	// 200 hello
}
