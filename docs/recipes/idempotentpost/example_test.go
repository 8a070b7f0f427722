package idempotentpost_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/resilient-go/resilient/transport"
)

// orders is a server that de-duplicates POST /orders by Idempotency-Key, as
// payment and order APIs do: a key it has seen gets the first answer again.
// Its very first request creates the order and then loses the response
// (the connection is cut), the failure that makes retrying a POST dangerous.
type orders struct {
	mu       sync.Mutex
	byKey    map[string]string // Idempotency-Key → order id
	created  int
	attempts int
}

func (o *orders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	o.mu.Lock()
	o.attempts++
	first := o.attempts == 1
	key := r.Header.Get("Idempotency-Key")
	id, seen := o.byKey[key]
	if !seen || key == "" {
		o.created++
		id = fmt.Sprintf("order-%d (%s)", o.created, body)
		if key != "" {
			o.byKey[key] = id
		}
	}
	o.mu.Unlock()
	if first {
		panic(http.ErrAbortHandler) // the order exists, but the client never hears of it
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprint(w, id)
}

// stats says how many attempts reached the server and how many orders it made.
func (o *orders) stats() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("attempts: %d, orders created: %d", o.attempts, o.created)
}

// loseNext makes the server lose the response to its next request too.
func (o *orders) loseNext() {
	o.mu.Lock()
	o.attempts = 0
	o.mu.Unlock()
}

// A POST with an Idempotency-Key is retried like a GET: the first attempt's
// response was lost, the retry sends the same key and the same body
// (replayed with GetBody, which http.NewRequest sets for a strings.Reader),
// and the server answers with the order it already made. One order, not two.
func Example() {
	o := &orders{byKey: map[string]string{}}
	srv := httptest.NewServer(o)
	defer srv.Close()

	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`2 apples`))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Idempotency-Key", "7d3f0a52-checkout-42") // one key per logical operation: a UUID in practice
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, string(body))
	fmt.Println(o.stats())
	// Output:
	// 201 Created order-1 (2 apples)
	// attempts: 2, orders created: 1
}

// The same POST without a key is not retried: it may have reached the
// server, and nothing says that repeating it is safe. The call fails, and
// the error says why it was not retried (transport.ErrNotIdempotent).
// transport.WithIdempotent marks a request as safe to repeat when the server
// de-duplicates by other means (here it would create a second order: only
// mark what the server really de-duplicates).
func Example_withoutKey() {
	o := &orders{byKey: map[string]string{}}
	srv := httptest.NewServer(o)
	defer srv.Close()

	rt, err := transport.New(transport.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.CloseIdleConnections()
	client := &http.Client{Transport: rt}

	post := func(ctx context.Context) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/orders", strings.NewReader(`1 pear`))
		if err != nil {
			panic(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println("error; not retried because not idempotent:", errors.Is(err, transport.ErrNotIdempotent))
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, string(body))
	}
	post(context.Background())
	fmt.Println(o.stats())

	o.loseNext()
	post(transport.WithIdempotent(context.Background()))
	fmt.Println(o.stats())
	// Output:
	// error; not retried because not idempotent: true
	// attempts: 1, orders created: 1
	// 201 Created order-3 (1 pear)
	// attempts: 2, orders created: 3
}
