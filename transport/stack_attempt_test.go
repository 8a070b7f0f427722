package transport_test

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

func TestNewAttemptMiddlewaresSeeEveryAttempt(t *testing.T) {
	s := &script{steps: []step{{status: 503}, {status: 503}, {status: 200}}}
	var seen atomic.Int32
	stamp := func(next http.RoundTripper) http.RoundTripper {
		return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			seen.Add(1)
			if _, ok := req.Context().Deadline(); !ok {
				t.Error("an attempt middleware must run inside the attempt timeout")
			}
			return next.RoundTrip(req)
		})
	}
	tr, err := transport.New(transport.Config{
		Base:    s,
		Retry:   transport.RetryConfig{Backoff: backoff.Constant(0)},
		Attempt: []transport.Middleware{stamp},
	})
	mustNoErr(t, err)
	req, _ := http.NewRequest(http.MethodGet, "http://example.test/", nil)
	resp, err := tr.RoundTrip(req)
	mustNoErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 || seen.Load() != 3 || s.Calls() != 3 {
		t.Fatalf("status %d, middleware saw %d attempts, base %d; want 200, 3, 3", resp.StatusCode, seen.Load(), s.Calls())
	}
}

func TestNewRejectsNilAttemptMiddleware(t *testing.T) {
	_, err := transport.New(transport.Config{Attempt: []transport.Middleware{nil}})
	if !errors.Is(err, transport.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
