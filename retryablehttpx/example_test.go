package retryablehttpx_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/retryablehttpx"
)

// An existing go-retryablehttp client adopts our jittered backoff and a
// retry budget; its RetryMax, hooks and HTTPClient stay as they are.
func ExampleConfigure() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()

	client := retryablehttp.NewClient()
	client.Logger = nil
	defer client.HTTPClient.CloseIdleConnections()
	err := retryablehttpx.Configure(client, retryablehttpx.Config{
		Backoff: backoff.Constant(0), // a real client: backoff.New(backoff.Config{...})
		Budget:  backoff.Unlimited(), // a real client: one backoff.NewBudget per backend
	})
	if err != nil {
		panic(err)
	}
	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "after", calls.Load(), "attempts")
	// Output:
	// 200 OK after 2 attempts
}
