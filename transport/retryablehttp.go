package transport

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/backoff"
)

// RetryableHTTPBackoff adapts a backoff.Strategy to go-retryablehttp's
// Backoff, so an existing retryablehttp.Client can adopt our jittered
// backoff without other changes:
//
//	client.Backoff = transport.RetryableHTTPBackoff(strategy)
//
// The strategy's own Base and Max apply; the client's RetryWaitMin is
// ignored and its RetryWaitMax caps only a server's Retry-After. A 429 or
// 503 with Retry-After waits at least what the server asked, as Retry does.
func RetryableHTTPBackoff(s backoff.Strategy) retryablehttp.Backoff {
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

// RetryableHTTPCheckRetry adapts a Classifier and a retry budget to
// go-retryablehttp's CheckRetry:
//
//	client.CheckRetry = transport.RetryableHTTPCheckRetry(nil, budget)
//
// c nil means DefaultClassifier; b nil means no budget. Successes are
// credited to the budget. When the budget refuses a retry, the client
// returns the last response as it is, or, for a transport error, an error
// that wraps both backoff.ErrBudgetExhausted and the cause. Unlike Retry,
// retryablehttp retries a POST like any other method: mark only idempotent
// work for it. On a transport error retryablehttp hands CheckRetry no
// request, so the classifier then sees a stand-in that carries only the
// context.
func RetryableHTTPCheckRetry(c Classifier, b *backoff.Budget) retryablehttp.CheckRetry {
	if c == nil {
		c = DefaultClassifier
	}
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
			if v.Outcome == Success && b != nil {
				b.Success()
			}
			return false, nil
		case b != nil && !b.TryRetry():
			if err == nil {
				// A status is not an error: let the client return it.
				return false, nil
			}
			return false, fmt.Errorf("%w: %w", backoff.ErrBudgetExhausted, err)
		}
		return true, nil
	}
}
