package transport

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// Retry returns a middleware that repeats failed attempts.
//
// An attempt is repeated only when all of these hold:
//   - the Classifier calls it retryable (by default: transport errors, 429,
//     5xx except 501; never when the caller's context has ended);
//   - fewer than MaxAttempts attempts were made;
//   - the request may be repeated: its method is idempotent, it carries an
//     Idempotency-Key, its context says WithIdempotent, or the error proves
//     nothing was sent (NotSent);
//   - its body can be replayed (no body, or req.GetBody is set): a body that
//     cannot be is sent once, never again empty;
//   - the caller's deadline leaves time for the wait;
//   - the retry budget allows it.
//
// The wait is the Backoff strategy's, raised to the server's Retry-After
// (capped at MaxRetryAfter) when it asks for longer: jitter never brings a
// wait below what the server asked. A cancelled context ends the wait at once.
//
// Every discarded response is drained (up to 64 KiB) and closed so that its
// connection is reused; the drain runs during the wait before the retry,
// and a body that has not ended when the wait is over (or after 100ms, when
// the wait is shorter) is closed unread, so a stalled body never delays
// the retry. The final response is returned as it came, even when it is a
// failure (a status is never an error), but for its Request, which is the
// caller's. A call that ends in an error after the loop had a say in it
// returns a *RetryError.
//
// The caller's request is never modified: retries send a shallow copy with a
// fresh body from GetBody.
func Retry(cfg RetryConfig) (Middleware, error) {
	if cfg.Off {
		return passThrough, nil
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &retryTransport{cfg: c, next: next}
	}, nil
}

type retryTransport struct {
	cfg  RetryConfig
	next http.RoundTripper
}

var _ http.RoundTripper = (*retryTransport)(nil)

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	hooks := &t.cfg.Hooks
	attemptReq := req
	unsent := 0         // attempts that never reached the server (see NotSent)
	lastUnsent := false // the last of them did not
	for attempt := 1; ; attempt++ {
		if hooks.OnAttempt != nil {
			hooks.OnAttempt(RetryEvent{Request: req, Attempt: attempt})
		}
		resp, err := t.next.RoundTrip(attemptReq)
		lastUnsent = err != nil && NotSent(err)
		if lastUnsent {
			unsent++
		}
		verdict := t.cfg.Classifier.Classify(req, resp, err)
		if attempt > 1 && verdict.Outcome == Failure && !lastUnsent {
			// A retry reached the server and failed: in a row, each such
			// retry costs twice the one before (backoff.Budget.Failed).
			t.cfg.Budget.Failed()
		}
		if !verdict.Retryable {
			if verdict.Outcome == Success {
				t.cfg.Budget.Success()
				if attempt > 1 {
					t.cfg.Budget.Refund() // the retry worked: it pays for itself
				}
				return withRequest(resp, req), err
			}
			// When the call's own context has ended, say so beside the
			// last error (which may be a mere reset).
			return t.giveUp(attempt, unsent, lastUnsent, withRequest(resp, req), err, context.Cause(req.Context()))
		}

		delay, stop := t.decide(req, attempt, verdict, err)
		if stop == nil && !t.cfg.Budget.TryRetry() {
			stop = backoff.ErrBudgetExhausted
			if hooks.OnBudgetExhausted != nil {
				hooks.OnBudgetExhausted(t.event(req, attempt, 0, verdict, resp, err))
			}
		}
		if stop != nil {
			return t.giveUp(attempt, unsent, lastUnsent, withRequest(resp, req), err, stop)
		}

		// A retry it is: free the connection while waiting. The drain
		// has the wait (or drainWait, when that is longer) to end, and a
		// body that stalls is closed then: it never holds the retry back.
		if hooks.OnRetry != nil {
			hooks.OnRetry(t.event(req, attempt, delay, verdict, resp, err))
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
			start := time.Now()
			discard(resp, max(delay, drainWait), nil)
			delay -= time.Since(start)
		}
		if werr := wait(req.Context(), delay); werr != nil {
			return nil, &RetryError{Attempts: attempt, Unsent: unsent, LastUnsent: lastUnsent, Last: err, LastStatus: status, Stop: werr}
		}
		next, berr := replay(req)
		if berr != nil {
			return nil, &RetryError{Attempts: attempt, Unsent: unsent, LastUnsent: lastUnsent, Last: err, LastStatus: status, Stop: berr}
		}
		attemptReq = next
	}
}

// decide returns the wait before the next attempt, or a non-nil reason to
// stop. It does not consult the budget, so that a token is only spent on
// a retry that will happen.
func (t *retryTransport) decide(req *http.Request, attempt int, v Verdict, err error) (time.Duration, error) {
	if req.Context().Err() != nil {
		return 0, errNoRetry
	}
	maxAttempts := t.cfg.MaxAttempts
	if o := callOptions(req.Context()); o != nil && o.MaxAttempts > 0 {
		maxAttempts = o.MaxAttempts
	}
	if attempt >= maxAttempts {
		return 0, ErrAttemptsExhausted
	}
	if !IsIdempotent(req) && !NotSent(err) {
		return 0, ErrNotIdempotent
	}
	if !replayable(req) {
		return 0, ErrBodyNotReplayable
	}
	delay := t.cfg.Backoff.Backoff(attempt - 1)
	if ra := min(v.RetryAfter, t.cfg.MaxRetryAfter); ra > delay {
		delay = ra
	}
	if deadline, ok := req.Context().Deadline(); ok && time.Until(deadline) <= delay {
		return 0, ErrDeadlineTooSoon
	}
	return delay, nil
}

// errNoRetry marks the end of a call whose caller has gone: the last
// result speaks for itself and needs no stop reason beside it.
var errNoRetry = errors.New("not retryable")

// giveUp ends the call with the last attempt's result.
func (t *retryTransport) giveUp(attempt, unsent int, lastUnsent bool, resp *http.Response, err error, stop error) (*http.Response, error) {
	if err == nil {
		// A status is not an error: the caller gets the response.
		return resp, nil
	}
	if stop == errNoRetry || (stop != nil && errors.Is(err, stop)) {
		stop = nil // nothing to add to the error itself
	}
	if attempt == 1 && stop == nil {
		// The loop had nothing to add to a first, non-retryable error.
		return resp, err
	}
	return resp, &RetryError{Attempts: attempt, Unsent: unsent, LastUnsent: lastUnsent, Last: err, Stop: stop}
}

func (t *retryTransport) event(req *http.Request, attempt int, delay time.Duration, v Verdict, resp *http.Response, err error) RetryEvent {
	ev := RetryEvent{Request: req, Attempt: attempt, Delay: delay, Verdict: v, Err: err}
	if resp != nil {
		ev.StatusCode = resp.StatusCode
	}
	return ev
}

// replayable reports whether req's body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// replay returns a shallow copy of req with a fresh body, ready for another
// attempt. The copy shares req's headers, which no layer below may modify.
func replay(req *http.Request) (*http.Request, error) {
	r := new(http.Request)
	*r = *req
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// withRequest sets resp's Request to the caller's request req, and
// returns resp. The stages below saw copies of req, whose contexts end
// with the call; whoever reads resp.Request (an http.Client, a
// RoundTripper's user) expects the request it sent.
func withRequest(resp *http.Response, req *http.Request) *http.Response {
	if resp != nil {
		resp.Request = req
	}
	return resp
}

// wait sleeps for d or until ctx ends, whichever is first, and returns the
// context's error in the second case.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
