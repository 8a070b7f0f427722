package wrapclient_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// wrap puts the recommended stack under an existing client. It keeps the
// client's own settings (Jar, CheckRedirect, Timeout) and, when the client
// already had a Transport (a proxy, a TLS config), keeps it as the bottom
// of the stack; otherwise the stack brings its own tuned connection pool.
func wrap(c *http.Client, cfg transport.Config) (*transport.Transport, error) {
	if c.Transport != nil {
		cfg.Base = c.Transport
	}
	rt, err := transport.New(cfg)
	if err != nil {
		return nil, err
	}
	c.Transport = rt
	return rt, nil
}

// The zero Config is the recommended stack: a 503 is retried with jittered
// backoff under a retry budget, and the caller sees the success.
func Example() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()

	client := &http.Client{Timeout: 30 * time.Second} // the client you already have
	rt, err := wrap(client, transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()

	resp, err := client.Get(backend.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body), "after", calls.Load(), "attempts")
	// Output:
	// 200 hello after 2 attempts
}

// A backend that always fails: the host's breaker opens, and from then on
// calls fail at once with breaker.ErrOpen, without reaching the backend.
// The breaker trips here after 5 calls (MinThroughput) instead of the
// default 20, and retries are off, so the example stays short. FailFast
// shows the refusal: by default a call that meets the open breaker waits
// for its next probe when that is due within the call's deadline.
func Example_breakerOpens() {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer backend.Close()

	client := &http.Client{}
	rt, err := wrap(client, transport.Config{
		Retry: transport.RetryConfig{Off: true},
		Breaker: transport.BreakerConfig{
			FailFast: true,
			// A fixed break longer than the example: the default probes
			// after about 300ms.
			MinThroughput: 5, BreakDuration: time.Minute,
		},
		Hooks: transport.Hooks{OnBreakerStateChange: func(c breaker.StateChange) {
			fmt.Println("breaker:", c.From, "->", c.To)
		}},
	})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()

	for i := 1; i <= 7; i++ {
		resp, err := client.Get(backend.URL)
		if errors.Is(err, breaker.ErrOpen) {
			fmt.Printf("call %d: failed fast: breaker open\n", i)
			continue
		}
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Printf("call %d: %d\n", i, resp.StatusCode)
	}
	fmt.Println("backend saw", calls.Load(), "calls")
	// Output:
	// call 1: 500
	// call 2: 500
	// call 3: 500
	// call 4: 500
	// breaker: closed -> open
	// call 5: 500
	// call 6: failed fast: breaker open
	// call 7: failed fast: breaker open
	// backend saw 5 calls
}
