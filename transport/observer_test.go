package transport_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// A stack composed with Chain and an Observer reports calls and attempts
// as New's does.
func TestObserverInChain(t *testing.T) {
	var (
		mu       sync.Mutex
		calls    []transport.CallEnd
		attempts []int
		n        int
	)
	base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		n++
		code := http.StatusOK
		if n == 1 {
			code = http.StatusServiceUnavailable
		}
		mu.Unlock()
		return &http.Response{StatusCode: code, Body: http.NoBody, Request: req}, nil
	})
	o := transport.NewObserver(transport.Hooks{
		OnCallEnd: func(e transport.CallEnd) { mu.Lock(); calls = append(calls, e); mu.Unlock() },
		OnAttemptEnd: func(e transport.AttemptEnd) {
			mu.Lock()
			attempts = append(attempts, e.Attempt)
			mu.Unlock()
		},
	}, nil)
	retry, err := transport.Retry(transport.RetryConfig{Backoff: backoff.Constant(0), Budget: backoff.Unlimited()})
	mustNoErr(t, err)
	rt := transport.Chain(base, o.Call(), retry, o.Attempt())
	getOnce(t, rt)
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 1 || calls[0].Attempts != 2 || calls[0].StatusCode != http.StatusOK || calls[0].Verdict.Outcome != transport.Success {
		t.Errorf("OnCallEnd: %+v, want one call, 2 attempts, a 200 judged a success", calls)
	}
	if len(attempts) != 2 || attempts[0] != 1 || attempts[1] != 2 {
		t.Errorf("OnAttemptEnd attempts %v, want [1 2]", attempts)
	}
}
