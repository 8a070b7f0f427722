package transport_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// newRetryableClient returns a real retryablehttp.Client whose HTTP client
// sends through base, with our backoff and check-retry plugged in.
func newRetryableClient(base http.RoundTripper, s backoff.Strategy, b *backoff.Budget) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.HTTPClient = &http.Client{Transport: base}
	c.RetryMax = 3
	c.RetryWaitMax = 30 * time.Second
	c.Backoff = transport.RetryableHTTPBackoff(s)
	c.CheckRetry = transport.RetryableHTTPCheckRetry(nil, b)
	return c
}

func TestRetryableHTTPBackoffUsesStrategyAndRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 500}, {status: 429, retryAfter: "5"}, {status: 200, body: "ok"}}}
		c := newRetryableClient(s, backoff.Constant(time.Second), backoff.Unlimited())
		start := time.Now()
		resp, err := c.Get("http://x.test/")
		mustNoErr(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// 1s from our strategy after the 500, then the server's 5s.
		if got := time.Since(start); got != 6*time.Second || string(body) != "ok" || s.Calls() != 3 {
			t.Fatalf("waited %v, body %q, %d attempts; want 6s, ok, 3", got, body, s.Calls())
		}
	})
}

func TestRetryableHTTPBackoffCapsRetryAfterAtClientMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 503, retryAfter: "600"}, {status: 200}}}
		c := newRetryableClient(s, backoff.Constant(time.Second), backoff.Unlimited())
		c.RetryWaitMax = 7 * time.Second
		start := time.Now()
		resp, err := c.Get("http://x.test/")
		mustNoErr(t, err)
		resp.Body.Close()
		if got := time.Since(start); got != 7*time.Second {
			t.Fatalf("waited %v, want the client's 7s cap", got)
		}
	})
}

func TestRetryableHTTPCheckRetryClassifiesAndSpendsBudget(t *testing.T) {
	// Permanent statuses are not retried.
	s := &script{steps: []step{{status: 404}}}
	c := newRetryableClient(s, backoff.Constant(0), nil)
	resp, err := c.Get("http://x.test/")
	mustNoErr(t, err)
	resp.Body.Close()
	if s.Calls() != 1 || resp.StatusCode != 404 {
		t.Fatalf("404: %d attempts, want 1", s.Calls())
	}

	// A budget of one token: one retry, then the error names the budget.
	budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 1, NoFloor: true})
	mustNoErr(t, err)
	s = &script{steps: []step{{err: errReset}}}
	c = newRetryableClient(s, backoff.Constant(0), budget)
	_, err = c.Get("http://x.test/")
	if !errors.Is(err, backoff.ErrBudgetExhausted) || s.Calls() != 2 {
		t.Fatalf("err=%v attempts=%d, want ErrBudgetExhausted after 2", err, s.Calls())
	}

	// For a status, a refused retry returns the response itself.
	s = &script{steps: []step{{status: 503}}}
	c = newRetryableClient(s, backoff.Constant(0), budget)
	resp, err = c.Get("http://x.test/")
	mustNoErr(t, err)
	resp.Body.Close()
	if s.Calls() != 1 || resp.StatusCode != 503 {
		t.Fatalf("503 with empty budget: %d attempts status %d, want 1 and the 503", s.Calls(), resp.StatusCode)
	}

	// Successes refill it.
	for range 5 {
		s = &script{steps: []step{{status: 200}}}
		c = newRetryableClient(s, backoff.Constant(0), budget)
		resp, err = c.Get("http://x.test/")
		mustNoErr(t, err)
		resp.Body.Close()
	}
	if got := budget.Available(); got < 1 {
		t.Fatalf("budget after 5 successes = %v, want >= 1", got)
	}
}

func TestRetryableHTTPCheckRetryPermanentTLSError(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	var attempts int
	counting := stubFunc(func(r *http.Request) (*http.Response, error) {
		attempts++
		return tr.RoundTrip(r)
	})
	c := newRetryableClient(counting, backoff.Constant(0), nil)
	if _, err := c.Get(srv.URL); err == nil || attempts != 1 {
		t.Fatalf("err=%v attempts=%d, want a certificate error after 1 attempt", err, attempts)
	}
}

// A resilient Transport under a retryablehttp.Client works, and retrying
// in both layers multiplies the attempts: let one layer retry.
func TestTransportUnderRetryableHTTPClient(t *testing.T) {
	attempts := func(ourRetry bool, retryMax int) int {
		s := &script{steps: []step{{status: 503}}}
		rt, err := transport.New(transport.Config{
			Base:         s,
			DisableRetry: !ourRetry,
			Retry:        transport.RetryConfig{Backoff: backoff.Constant(0), Budget: backoff.Unlimited()},
			// Keep the breaker out of the count.
			DisableBreaker: true,
		})
		mustNoErr(t, err)
		c := retryablehttp.NewClient()
		c.Logger = nil
		c.HTTPClient = &http.Client{Transport: rt}
		c.RetryMax = retryMax
		c.Backoff = transport.RetryableHTTPBackoff(backoff.Constant(0))
		resp, err := c.Get("http://x.test/")
		if err == nil {
			resp.Body.Close()
		}
		return s.Calls()
	}
	if got := attempts(true, 2); got != 9 {
		t.Errorf("both layers retrying (3 x 3): %d attempts, want 9", got)
	}
	if got := attempts(false, 2); got != 3 {
		t.Errorf("retryablehttp alone: %d attempts, want 3", got)
	}
	if got := attempts(true, 0); got != 3 {
		t.Errorf("resilient alone (RetryMax 0): %d attempts, want 3", got)
	}
}
