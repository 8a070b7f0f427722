package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// One setting caps how long the stack honours a Retry-After: with
// Retry.MaxRetryAfter at 1s alone, a 429 asking for 3 s is retried after
// 1 s, and the retry is sent, not refused by the host's pushback gate
// (which honoured the full 3 s when the two caps were separate settings).
func TestRetryAfterOneCap(t *testing.T) {
	for _, cfg := range map[string]transport.Config{
		"Retry.MaxRetryAfter": {Retry: transport.RetryConfig{MaxRetryAfter: time.Second}},
		"Limit.MaxPause":      {Limit: transport.LimitConfig{MaxPause: time.Second}},
	} {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			cfg.Base = transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
				h := http.Header{}
				status := http.StatusOK
				if n.Add(1) == 1 {
					status = http.StatusTooManyRequests
					h.Set("Retry-After", "3")
				}
				return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
			})
			rt, err := transport.New(cfg)
			mustNoErr(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a.test/", nil)
			start := time.Now()
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatalf("call failed: %v", err)
			}
			_ = resp.Body.Close()
			if took := time.Since(start); resp.StatusCode != http.StatusOK || n.Load() != 2 || took > 1100*time.Millisecond {
				t.Errorf("status %d after %d requests in %v: want the retry sent after the 1s cap, and served", resp.StatusCode, n.Load(), took)
			}
		})
	}
}

// Two different caps cannot both hold: New refuses them, naming both.
func TestRetryAfterCapsDiffer(t *testing.T) {
	_, err := transport.New(transport.Config{
		Retry: transport.RetryConfig{MaxRetryAfter: time.Second},
		Limit: transport.LimitConfig{MaxPause: 3 * time.Second},
	})
	if !errors.Is(err, transport.ErrInvalidConfig) || !strings.Contains(err.Error(), "Config.Retry.MaxRetryAfter") ||
		!strings.Contains(err.Error(), "Config.Limit.MaxPause") {
		t.Errorf("New = %v: want ErrInvalidConfig naming both caps", err)
	}
}

// A RetryError counts the attempts that were never sent apart: a call
// whose retry our own breaker refused made 2 attempts, 1 sent, and its
// message says the last was refused locally, and by what.
func TestRetryErrorCountsUnsent(t *testing.T) {
	e := &transport.RetryError{Attempts: 2, Unsent: 1, LastUnsent: true, Last: transport.MarkNotSent(errors.New("breaker open"))}
	if got, want := e.Error(), "resilient: 2 attempts (1 sent), last refused locally, not sent: breaker open"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// A dial error is not sent either, but not refused by us.
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	e = &transport.RetryError{Attempts: 2, Unsent: 1, LastUnsent: true, Last: dial}
	if got, want := e.Error(), "resilient: 2 attempts (1 sent), last not sent: dial tcp: connection refused"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	synctest.Test(t, func(t *testing.T) {
		rt, err := transport.New(transport.Config{
			Base: transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 503, Body: http.NoBody, Request: req}, nil
			}),
			Retry:   transport.RetryConfig{MaxAttempts: 3},
			Breaker: transport.BreakerConfig{ConsecutiveFailures: 1, FailFast: true},
		})
		mustNoErr(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a.test/", nil)
		_, err = rt.RoundTrip(req)
		var re *transport.RetryError
		if !errors.As(err, &re) || re.Attempts != 2 || re.Unsent != 1 || !re.LastUnsent {
			t.Errorf("err = %v: want 2 attempts, the second refused by the open breaker and counted not sent", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "(1 sent)") || !strings.Contains(msg, "last refused locally, not sent: ") {
			t.Errorf("message %q: want the attempts sent, and the last named refused locally", msg)
		}
	})
}
