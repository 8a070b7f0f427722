package transport_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// A Retry-After too large for a time.Duration asks for a very long wait.
// It used to count as malformed, so the call was retried after the
// backoff's few milliseconds: the opposite of what the server asked. It
// saturates at MaxRetryAfter now.
func TestHugeRetryAfterSaturatesAtMaxRetryAfter(t *testing.T) {
	for _, ra := range []string{"99999999999", "9223372037", "99999999999999999999999"} {
		synctest.Test(t, func(t *testing.T) {
			s := &script{steps: []step{{status: 503, retryAfter: ra}, {status: 200}}}
			rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(10 * time.Millisecond), MaxRetryAfter: 30 * time.Second}, s)
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			start := time.Now()
			resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil).WithContext(ctx))
			mustNoErr(t, err)
			resp.Body.Close()
			if waited := time.Since(start); s.Calls() != 2 || waited != 30*time.Second {
				t.Errorf("Retry-After %s: %d attempts after %v, want the retry after MaxRetryAfter (30s)", ra, s.Calls(), waited)
			}
		})
	}
}

// Through New, whose total timeout (15s) is shorter than MaxRetryAfter,
// the call is not retried at all: the server's wait does not fit.
func TestHugeRetryAfterThroughNewIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 503, retryAfter: "99999999999"}, {status: 200}}}
		stack, err := transport.New(transport.Config{Base: s, Limit: transport.LimitConfig{Off: true}})
		mustNoErr(t, err)
		resp, err := stack.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
		mustNoErr(t, err)
		resp.Body.Close()
		if resp.StatusCode != 503 || s.Calls() != 1 {
			t.Errorf("got %d after %d attempts, want the 503 after 1 (Retry-After past the deadline)", resp.StatusCode, s.Calls())
		}
	})
}
