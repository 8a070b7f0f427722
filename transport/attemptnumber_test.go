package transport_test

import (
	"net/http"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/resilient-go/resilient/transport"
)

// An Attempt middleware reads each attempt's number from its request's
// context (1, 2, 3 for a call retried twice), with no wrapper around the
// stack; a request that did not come through an observed stack reads 0.
func TestAttemptNumberInAttemptMiddleware(t *testing.T) {
	synctest.Test(t, testAttemptNumber)
}

func testAttemptNumber(t *testing.T) {
	var mu sync.Mutex
	var got []int
	calls := 0
	base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		calls++
		code := http.StatusServiceUnavailable
		if calls == 3 {
			code = http.StatusOK
		}
		return &http.Response{StatusCode: code, Body: http.NoBody, Request: req}, nil
	})
	record := func(next http.RoundTripper) http.RoundTripper {
		return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			got = append(got, transport.AttemptNumber(req.Context()))
			mu.Unlock()
			return next.RoundTrip(req)
		})
	}
	rt, err := transport.New(transport.Config{
		Base:    base,
		Attempt: []transport.Middleware{record},
		Hooks:   transport.Hooks{OnCallEnd: func(transport.CallEnd) {}},
		Retry:   transport.RetryConfig{MaxAttempts: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://svc.test/x", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("attempt numbers = %v, want [1 2 3]", got)
	}
	if n := transport.AttemptNumber(req.Context()); n != 0 {
		t.Fatalf("AttemptNumber outside a stack = %d, want 0", n)
	}
}
