package retryablehttpx_test

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
	"github.com/resilient-go/resilient/retryablehttpx"
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
	c.Backoff = retryablehttpx.Backoff(s)
	c.CheckRetry = retryablehttpx.CheckRetry(nil, b)
	return c
}

func TestBackoffUsesStrategyAndRetryAfter(t *testing.T) {
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

func TestBackoffCapsRetryAfterAtClientMax(t *testing.T) {
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

func TestCheckRetryClassifiesAndSpendsBudget(t *testing.T) {
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

func TestCheckRetryPermanentTLSError(t *testing.T) {
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
			Base:  s,
			Retry: transport.RetryConfig{Off: !ourRetry, MaxAttempts: 3, Backoff: backoff.Constant(0), Budget: backoff.Unlimited()},
			// Keep the breaker out of the count.
			Breaker: transport.BreakerConfig{Off: true},
		})
		mustNoErr(t, err)
		c := retryablehttp.NewClient()
		c.Logger = nil
		c.HTTPClient = &http.Client{Transport: rt}
		c.RetryMax = retryMax
		c.Backoff = retryablehttpx.Backoff(backoff.Constant(0))
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

// Configure withdraws a token per retry the client makes,
// and none for the CheckRetry of the attempt that used up RetryMax, which
// CheckRetry alone pays for.
func TestConfigureSpendsOneTokenPerRetry(t *testing.T) {
	for _, tc := range []struct {
		name      string
		configure func(*retryablehttp.Client, *backoff.Budget)
		spent     float64
	}{
		{"CheckRetry alone", func(c *retryablehttp.Client, b *backoff.Budget) {
			c.CheckRetry = retryablehttpx.CheckRetry(nil, b)
		}, 3},
		{"Configure", func(c *retryablehttp.Client, b *backoff.Budget) {
			mustNoErr(t, retryablehttpx.Configure(c, retryablehttpx.Config{Budget: b}))
		}, 2},
	} {
		budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 10, NoFloor: true})
		mustNoErr(t, err)
		s := &script{steps: []step{{status: 503}}}
		c := retryablehttp.NewClient()
		c.Logger = nil
		c.RetryMax = 2
		c.Backoff = retryablehttpx.Backoff(backoff.Constant(0))
		c.HTTPClient = &http.Client{Transport: s}
		var prepared int
		c.PrepareRetry = func(*http.Request) error { prepared++; return nil }
		tc.configure(c, budget)
		resp, err := c.Get("http://x.test/")
		if err == nil {
			resp.Body.Close()
		}
		if s.Calls() != 3 {
			t.Fatalf("%s: %d attempts, want 3 (RetryMax 2)", tc.name, s.Calls())
		}
		if spent := 10 - budget.Available(); spent != tc.spent {
			t.Errorf("%s: %v tokens spent for 2 retries, want %v", tc.name, spent, tc.spent)
		}
		if prepared != 2 {
			t.Errorf("%s: the client's own PrepareRetry ran %d times, want 2", tc.name, prepared)
		}
	}

	// A budget that runs dry mid-call stops the retries and says why.
	budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 1, NoFloor: true})
	mustNoErr(t, err)
	s := &script{steps: []step{{err: errReset}}}
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.HTTPClient = &http.Client{Transport: s}
	mustNoErr(t, retryablehttpx.Configure(c, retryablehttpx.Config{Backoff: backoff.Constant(0), Budget: budget}))
	if _, err := c.Get("http://x.test/"); !errors.Is(err, backoff.ErrBudgetExhausted) || s.Calls() != 2 {
		t.Fatalf("err=%v attempts=%d, want ErrBudgetExhausted after 2", err, s.Calls())
	}
	if err := retryablehttpx.Configure(nil, retryablehttpx.Config{}); !errors.Is(err, retryablehttpx.ErrInvalidConfig) || !errors.Is(err, transport.ErrInvalidConfig) {
		t.Fatalf("nil client: err = %v, want ErrInvalidConfig", err)
	}
}
