package lclockhttp_test

import (
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/lclock"
	"github.com/resilient-go/resilient/lclock/lclockhttp"
	"github.com/resilient-go/resilient/transport"
)

// TestEveryAttemptIsStamped: below transport.Retry, each attempt is a send
// event with its own stamp, and the discarded 503s are witnessed too.
func TestEveryAttemptIsStamped(t *testing.T) {
	clock := new(lclock.Lamport)
	p := newProp(t, lclockhttp.Config{Clock: clock})
	var sent []string
	var server lclock.Lamport // the stub's clock
	stub := transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.Header.Get("Lclock-Stamp"))
		m, _ := lclock.ParseLamport(r.Header.Get("Lclock-Stamp"))
		server.Witness(m)
		code := http.StatusServiceUnavailable
		if len(sent) == 3 {
			code = http.StatusOK
		}
		h := http.Header{"Lclock-Stamp": {string(lclock.AppendLamport(nil, server.Tick()))}}
		return &http.Response{StatusCode: code, Header: h, Body: http.NoBody, Request: r}, nil
	})
	retry, err := transport.Retry(transport.RetryConfig{Backoff: backoff.Constant(0), Budget: backoff.Unlimited()})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: transport.Chain(stub, retry, p.Middleware)}
	resp, err := client.Get("http://example.invalid/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Attempt 1 sent at 1, received by the stub at 2, answered at 3,
	// witnessed at 4; attempt 2 sent at 5, and so on.
	if want := []string{"1", "5", "9"}; len(sent) != 3 || sent[0] != want[0] || sent[1] != want[1] || sent[2] != want[2] {
		t.Errorf("attempts stamped %q, want %q", sent, want)
	}
	if clock.Now() != 12 {
		t.Errorf("clock after the call = %v, want 12", clock.Now())
	}
}
