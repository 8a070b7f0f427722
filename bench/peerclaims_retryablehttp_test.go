package bench

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/transport"
)

// What docs/recipes/migrating says about go-retryablehttp, checked by
// running it (the version in bench/go.mod). Each test runs in a synctest
// bubble over a stub RoundTripper, so go-retryablehttp's waits take no
// real time and are measured exactly.

// scripted answers each request with the next status of a script (the
// last one repeats), with Retry-After when retryAfter is set, and counts
// the requests.
type scripted struct {
	statuses   []int
	retryAfter string
	calls      atomic.Int32
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	i := int(s.calls.Add(1)) - 1
	status := s.statuses[min(i, len(s.statuses)-1)]
	h := http.Header{}
	if s.retryAfter != "" && status != http.StatusOK {
		h.Set("Retry-After", s.retryAfter)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func retryablehttpClient(rt http.RoundTripper, retryMax int, waitMin, waitMax time.Duration) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.HTTPClient = &http.Client{Transport: rt}
	c.RetryMax, c.RetryWaitMin, c.RetryWaitMax = retryMax, waitMin, waitMax
	return c
}

// The page: "RetryMax: 4 (default: 5 attempts in all), RetryWaitMin 1s,
// RetryWaitMax 30s".
func TestRetryablehttpDefaults(t *testing.T) {
	c := retryablehttp.NewClient()
	if c.RetryMax != 4 || c.RetryWaitMin != time.Second || c.RetryWaitMax != 30*time.Second {
		t.Errorf("NewClient: RetryMax %d, RetryWaitMin %v, RetryWaitMax %v; the page says 4, 1s, 30s",
			c.RetryMax, c.RetryWaitMin, c.RetryWaitMax)
	}
}

// The page: RetryWaitMax does not cap Retry-After (DefaultBackoff returns
// the header's wait before applying the max): with RetryWaitMax 1s, a
// 429 with Retry-After: 3 is retried after the full 3 s. On 503 too.
func TestRetryablehttpRetryAfterNotCapped(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		synctest.Test(t, func(t *testing.T) {
			rt := &scripted{statuses: []int{status, http.StatusOK}, retryAfter: "3"}
			c := retryablehttpClient(rt, 1, 10*time.Millisecond, time.Second)
			start := time.Now()
			resp, err := c.Get("http://backend.test/")
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if waited := time.Since(start); waited != 3*time.Second || rt.calls.Load() != 2 {
				t.Errorf("%d + Retry-After: 3 with RetryWaitMax 1s: retried after %v (%d requests); the page says after the full 3s",
					status, waited, rt.calls.Load())
			}
		})
	}
}

// The page: when its retries run out, go-retryablehttp returns an error
// ("giving up after N attempt(s)") and no response; resilient returns the
// last response, as http.Client would, for the caller to read.
func TestRetryablehttpGivesUpWithAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{statuses: []int{http.StatusServiceUnavailable}}
		c := retryablehttpClient(rt, 2, 10*time.Millisecond, 20*time.Millisecond)
		resp, err := c.Get("http://backend.test/")
		if resp != nil || err == nil || !strings.Contains(err.Error(), "giving up after 3 attempt(s)") {
			t.Errorf("go-retryablehttp after 3 503s: response %v, error %v; the page says no response and 'giving up after 3 attempt(s)'", resp, err)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{statuses: []int{http.StatusServiceUnavailable}}
		tr, err := transport.New(transport.Config{Base: rt, Breaker: transport.BreakerConfig{Off: true}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test/", nil)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("resilient after its attempts: response %v, error %v; the page says the last response (503), no error", resp, err)
		}
		_ = resp.Body.Close()
		if n := rt.calls.Load(); n < 2 {
			t.Errorf("resilient sent %d requests, want its retries", n)
		}
	})
}

// The page: DefaultRetryPolicy retries connection errors, 429 and 5xx
// but 501, whatever the method (a POST included); DefaultBackoff is
// min·2ⁿ capped at max, without jitter.
func TestRetryablehttpPolicyAndBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{statuses: []int{http.StatusNotImplemented, http.StatusOK}}
		c := retryablehttpClient(rt, 3, 100*time.Millisecond, time.Second)
		resp, err := c.Get("http://backend.test/")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNotImplemented || rt.calls.Load() != 1 {
			t.Errorf("501: %d requests, final status %d; the page says 501 is not retried", rt.calls.Load(), resp.StatusCode)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{statuses: []int{500, 502, 429, 503, http.StatusOK}}
		c := retryablehttpClient(rt, 4, 100*time.Millisecond, 500*time.Millisecond)
		start := time.Now()
		resp, err := c.Post("http://backend.test/", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		// 100ms, 200ms, 400ms, then 800ms capped at 500ms: 1.2s, exactly
		// (no jitter).
		if waited := time.Since(start); resp.StatusCode != http.StatusOK || rt.calls.Load() != 5 || waited != 1200*time.Millisecond {
			t.Errorf("POST through 500, 502, 429, 503: %d requests, status %d, waited %v; the page says all retried, waits 100+200+400+500ms",
				rt.calls.Load(), resp.StatusCode, waited)
		}
	})
}
