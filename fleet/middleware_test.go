package fleet_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-redis/redis_rate/v10"

	"github.com/resilient-go/resilient/fleet"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

// A refused request is not sent, its body is closed, and the transport's
// classifier sees our own rejection: Ignored, not retryable.
func TestMiddlewareRefusal(t *testing.T) {
	l, err := fleet.New(fleet.Config{Redis: unreachable(t), Limit: redis_rate.PerSecond(10), Fallback: fleet.FailClosed})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var sent atomic.Int32
	base := transport.RoundTripperFunc(func(*http.Request) (*http.Response, error) {
		sent.Add(1)
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})
	var keys []string
	rt := transport.Chain(base, fleet.Middleware(l, fleet.MiddlewareConfig{
		Key: func(r *http.Request) string { keys = append(keys, r.URL.Path); return r.URL.Path },
	}))
	body := &closeCounter{Reader: strings.NewReader("x")}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://api.example.com/orders", body)
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		t.Fatalf("got a response %d, want a refusal", resp.StatusCode)
	}
	if !errors.Is(err, limiter.ErrLimited) || !errors.Is(err, fleet.ErrUnavailable) || !transport.NotSent(err) {
		t.Fatalf("err %v: want limiter.ErrLimited, fleet.ErrUnavailable, NotSent", err)
	}
	if v := transport.DefaultClassifier().Classify(req, nil, err); v.Outcome != transport.Ignored || v.Retryable || v.Reason != transport.ReasonRejected {
		t.Errorf("verdict %+v, want Ignored, not retryable, ReasonRejected", v)
	}
	if sent.Load() != 0 || body.closed.Load() != 1 || len(keys) != 1 || keys[0] != "/orders" {
		t.Errorf("sent %d, body closed %d times, keys %v: want 0, 1, [/orders]", sent.Load(), body.closed.Load(), keys)
	}
}

// A 503 with Retry-After pauses the key; PushbackOff turns that off.
func TestMiddlewarePushback(t *testing.T) {
	for _, disable := range []bool{false, true} {
		l, err := fleet.New(fleet.Config{Redis: unreachable(t), Limit: redis_rate.PerSecond(100), Fallback: fleet.FailOpen})
		if err != nil {
			t.Fatal(err)
		}
		base := transport.RoundTripperFunc(func(*http.Request) (*http.Response, error) {
			h := http.Header{}
			h.Set("Retry-After", "5")
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: h, Body: http.NoBody}, nil
		})
		rt := transport.Chain(base, fleet.Middleware(l, fleet.MiddlewareConfig{PushbackOff: disable}))
		req, _ := http.NewRequest(http.MethodGet, "http://api.example.com/", nil)
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		_, err = rt.RoundTrip(req)
		if paused := errors.Is(err, fleet.ErrPaused); paused == disable {
			t.Errorf("PushbackOff %v: second request %v", disable, err)
		}
		_ = l.Close()
	}
}
