package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/transport"
)

// scriptCall answers with the statuses in turn (the last repeats), or hangs
// until the request's context ends when the status is 0.
func scriptCall(n *atomic.Int32, statuses ...int) http.RoundTripper {
	return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		if status == 0 {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}
		return &http.Response{StatusCode: status, Body: http.NoBody, Request: req}, nil
	})
}

func callWith(t *testing.T, rt http.RoundTripper, method string, o transport.CallOptions) (*http.Response, time.Duration, error) {
	t.Helper()
	ctx, err := transport.WithCallOptions(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, method, "http://a.test/", strings.NewReader("x"))
	start := time.Now()
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	return resp, time.Since(start), err
}

// Per-call options change the stack's settings for one call only.
func TestCallOptions(t *testing.T) {
	stack := func(t *testing.T, base http.RoundTripper) http.RoundTripper {
		rt, err := transport.New(transport.Config{Base: base, Breaker: transport.BreakerConfig{Off: true}})
		mustNoErr(t, err)
		return rt
	}
	t.Run("MaxAttempts 1: no retry", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			rt := stack(t, scriptCall(&n, 503))
			resp, _, err := callWith(t, rt, http.MethodGet, transport.CallOptions{MaxAttempts: 1})
			if err != nil || resp.StatusCode != 503 || n.Load() != 1 {
				t.Errorf("%d requests, %v: want 1 request and its 503", n.Load(), err)
			}
			n.Store(0)
			_, _, _ = callWith(t, rt, http.MethodGet, transport.CallOptions{}) // the stack's 4
			if n.Load() != 4 {
				t.Errorf("without options: %d requests, want the stack's 4", n.Load())
			}
		})
	})
	t.Run("MaxAttempts 6: more than the stack's", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			rt := stack(t, scriptCall(&n, 503, 503, 503, 503, 503, 200))
			resp, _, err := callWith(t, rt, http.MethodGet, transport.CallOptions{MaxAttempts: 6})
			if err != nil || resp.StatusCode != 200 || n.Load() != 6 {
				t.Errorf("%d requests, %v: want 6 and the final 200", n.Load(), err)
			}
		})
	})
	t.Run("AttemptTimeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			rt := stack(t, scriptCall(&n, 0))
			_, took, err := callWith(t, rt, http.MethodGet, transport.CallOptions{MaxAttempts: 1, AttemptTimeout: 100 * time.Millisecond})
			if !errors.Is(err, transport.ErrAttemptTimeout) || took != 100*time.Millisecond {
				t.Errorf("err %v after %v: want the attempt timed out at 100ms", err, took)
			}
		})
	})
	t.Run("TotalTimeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			rt := stack(t, scriptCall(&n, 0))
			_, took, err := callWith(t, rt, http.MethodGet, transport.CallOptions{TotalTimeout: 300 * time.Millisecond})
			if !errors.Is(err, context.DeadlineExceeded) || took != 300*time.Millisecond {
				t.Errorf("err %v after %v: want the call ended at 300ms", err, took)
			}
		})
	})
	t.Run("Idempotent", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			rt := stack(t, scriptCall(&n, 503, 200))
			resp, _, err := callWith(t, rt, http.MethodPost, transport.CallOptions{Idempotent: true})
			if err != nil || resp.StatusCode != 200 || n.Load() != 2 {
				t.Errorf("POST: %d requests, %v: want it retried", n.Load(), err)
			}
		})
	})
}

func TestCallOptionsInvalid(t *testing.T) {
	for name, o := range map[string]transport.CallOptions{
		"CallOptions.MaxAttempts":    {MaxAttempts: -1},
		"CallOptions.TotalTimeout":   {TotalTimeout: -time.Second},
		"CallOptions.AttemptTimeout": {AttemptTimeout: -time.Second},
	} {
		ctx := context.Background()
		got, err := transport.WithCallOptions(ctx, o)
		if !errors.Is(err, transport.ErrInvalidConfig) || !strings.Contains(err.Error(), name) || got != ctx {
			t.Errorf("%+v: %v, want ErrInvalidConfig naming %s, and ctx unchanged", o, err, name)
		}
	}
	if _, err := transport.WithCallOptions(context.Background(), transport.CallOptions{MaxAttempts: 101}); !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("MaxAttempts 101: %v", err)
	}
}

func ExampleWithCallOptions() {
	var n atomic.Int32
	rt, _ := transport.New(transport.Config{Base: scriptCall(&n, 503)})
	// A probe that must not retry, through the client the other calls share.
	ctx, err := transport.WithCallOptions(context.Background(), transport.CallOptions{MaxAttempts: 1})
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a.test/health", nil)
	resp, err := rt.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	fmt.Println(resp.StatusCode, n.Load())
	// Output: 503 1
}
