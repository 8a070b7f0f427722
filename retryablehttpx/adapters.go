package retryablehttpx

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// Backoff adapts a backoff.Strategy to go-retryablehttp's Backoff, so an
// existing retryablehttp.Client can adopt our jittered backoff without
// other changes:
//
//	client.Backoff = retryablehttpx.Backoff(strategy)
//
// The strategy's own Base and Max apply; the client's RetryWaitMin is
// ignored and its RetryWaitMax caps only a server's Retry-After. A 429 or
// 503 with Retry-After waits at least what the server asked, as
// transport.Retry does.
func Backoff(s backoff.Strategy) retryablehttp.Backoff {
	return func(_, max time.Duration, attemptNum int, resp *http.Response) time.Duration {
		d := s.Backoff(attemptNum)
		if resp == nil {
			return d
		}
		if code := resp.StatusCode; code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
			return d
		}
		ra, ok := backoff.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now(), max)
		if ok && ra > d {
			return ra
		}
		return d
	}
}

// CheckRetry adapts a transport.Classifier and a retry budget to
// go-retryablehttp's CheckRetry:
//
//	client.CheckRetry = retryablehttpx.CheckRetry(nil, budget)
//
// c nil means transport.DefaultClassifier; b nil means no budget.
// Successes are credited to the budget. When the budget refuses a retry,
// the client returns the last response as it is, or, for a transport
// error, an error that wraps both backoff.ErrBudgetExhausted and the
// cause. Unlike transport.Retry, retryablehttp retries a POST like any
// other method: mark only idempotent work for it. On a transport error
// retryablehttp hands CheckRetry no request, so the classifier then sees a
// stand-in that carries only the context.
//
// Budget accounting: retryablehttp asks CheckRetry before it checks
// RetryMax, so a call that uses up RetryMax withdraws one token for a
// retry it never makes. Configure installs this with exact accounting;
// prefer it.
func CheckRetry(c transport.Classifier, b *backoff.Budget) retryablehttp.CheckRetry {
	if c == nil {
		c = transport.DefaultClassifier()
	}
	return checkRetry(c, b, (*backoff.Budget).TryRetry)
}

// checkRetry is the CheckRetry of both adapters; spend decides, for a
// retryable attempt, whether the budget allows the retry (withdrawing a
// token, or only looking).
func checkRetry(c transport.Classifier, b *backoff.Budget, spend func(*backoff.Budget) bool) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		var req *http.Request
		if resp != nil && resp.Request != nil {
			req = resp.Request
		} else {
			req = (&http.Request{Method: http.MethodGet, URL: &url.URL{}, Header: http.Header{}}).WithContext(ctx)
		}
		v := c.Classify(req, resp, err)
		switch {
		case !v.Retryable:
			if v.Outcome == transport.Success && b != nil {
				b.Success()
			}
			return false, nil
		case b != nil && !spend(b):
			if err == nil {
				// A status is not an error: let the client return it.
				return false, nil
			}
			return false, fmt.Errorf("%w: %w", backoff.ErrBudgetExhausted, err)
		}
		return true, nil
	}
}

// Config is what Configure installs on a go-retryablehttp client. Each
// field says what its zero value means.
type Config struct {
	// Classifier judges each attempt. Nil means transport.DefaultClassifier.
	Classifier transport.Classifier
	// Backoff gives the wait before each retry (see the Backoff function).
	// Nil leaves the client's Backoff as it is.
	Backoff backoff.Strategy
	// Budget caps retries at a fraction of recent successes. Nil means no
	// budget: the client's RetryMax alone bounds the retries.
	Budget *backoff.Budget
}

// Configure installs our classification, backoff and retry budget on an
// existing go-retryablehttp client, with exact budget accounting: a token
// is withdrawn only for a retry the client actually makes. (retryablehttp
// asks CheckRetry before it checks RetryMax, so the CheckRetry function
// alone withdraws one token too many on a call that uses up RetryMax.
// Here CheckRetry only looks at the budget and the client's PrepareRetry,
// which runs just before each retry, withdraws; a PrepareRetry the client
// already had runs after it.) When another call takes the last token
// between the two, the retry is abandoned with an error that wraps
// backoff.ErrBudgetExhausted.
//
// It returns an error wrapping ErrInvalidConfig for a nil client.
func Configure(c *retryablehttp.Client, cfg Config) error {
	if c == nil {
		return fmt.Errorf("%w: Configure: nil client", ErrInvalidConfig)
	}
	classifier := cfg.Classifier
	if classifier == nil {
		classifier = transport.DefaultClassifier()
	}
	b := cfg.Budget
	c.CheckRetry = checkRetry(classifier, b, func(b *backoff.Budget) bool { return b.Available() >= 1 })
	if cfg.Backoff != nil {
		c.Backoff = Backoff(cfg.Backoff)
	}
	if b != nil {
		prev := c.PrepareRetry
		c.PrepareRetry = func(req *http.Request) error {
			if !b.TryRetry() {
				return fmt.Errorf("%w: retry abandoned", backoff.ErrBudgetExhausted)
			}
			if prev != nil {
				return prev(req)
			}
			return nil
		}
	}
	return nil
}
