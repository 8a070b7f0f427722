package pool_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/resilient-go/resilient/pool"
)

// A pool with the recommended defaults, warmed up before the traffic: four
// concurrent requests then find four idle connections and dial nothing.
func Example() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()

	p, err := pool.New(pool.Config{})
	if err != nil {
		panic(err)
	}
	defer p.CloseIdleConnections()

	// At start-up: open 4 connections ahead of the traffic.
	if err := p.WarmUp(context.Background(), backend.URL, 4); err != nil {
		panic(err)
	}

	client := &http.Client{Transport: p}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			resp, err := client.Get(backend.URL)
			if err != nil {
				panic(err)
			}
			io.Copy(io.Discard, resp.Body) // read to the end: the connection goes back to the pool
			resp.Body.Close()
		})
	}
	wg.Wait()

	// The warm-up dialled 4 connections (and reused the first once); the
	// 4 requests reused them.
	s := p.Stats()
	h := s.Hosts[backend.Listener.Addr().String()]
	fmt.Printf("new connections: %d, reused: %d (from the idle pool: %d)\n", h.New, h.Reused, h.Idle)
	fmt.Println("hosts:", len(s.Hosts))
	// Output:
	// new connections: 4, reused: 5 (from the idle pool: 5)
	// hosts: 1
}

func ExampleNew() {
	p, err := pool.New(pool.Config{MaxIdleConnsPerHost: 32})
	if err != nil {
		panic(err)
	}
	t := p.Transport() // the tuned *http.Transport
	fmt.Println(t.MaxIdleConnsPerHost, t.MaxIdleConns, t.IdleConnTimeout, t.Protocols)

	_, err = pool.New(pool.Config{MaxConnsPerHost: -1})
	fmt.Println(err)
	// Output:
	// 32 1024 1m30s {HTTP1,HTTP2}
	// pool: invalid config: MaxConnsPerHost is -1, must be >= 0
}
