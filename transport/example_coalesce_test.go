package transport_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"

	"github.com/resilient-go/resilient/transport"
)

// Three identical GETs in flight at the same time share one request to the
// backend, and each caller reads its own copy of the answer. A POST would
// go through on its own.
func ExampleCoalesce() {
	const callers = 3
	release := make(chan struct{})
	var requests atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-release // hold the answer until every caller waits for it
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()

	coalesce, err := transport.Coalesce(transport.CoalesceConfig{
		// Called each time a request joins one already in flight.
		OnShared: func(key string, n int) {
			if n == callers {
				close(release)
			}
		},
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: transport.Chain(nil, coalesce)}

	bodies := make([]string, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			resp, err := client.Get(backend.URL + "/report")
			if err != nil {
				panic(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			bodies[i] = string(b)
		})
	}
	wg.Wait()
	fmt.Println("backend requests:", requests.Load())
	fmt.Println(bodies)
	// Output:
	// backend requests: 1
	// [hello hello hello]
}
