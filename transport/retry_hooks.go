package transport

import (
	"net/http"
	"time"
)

// RetryHooks observe Retry's loop: for logs, metrics and traces. Every field
// is optional. Hooks are called on the request's goroutine, outside any lock
// of this package; they must be safe for concurrent use and should return
// quickly, as the call waits for them.
type RetryHooks struct {
	// OnAttempt is called before each attempt is sent.
	OnAttempt func(RetryEvent)
	// OnRetry is called when a retry has been decided, before waiting
	// Delay. The failed attempt's response, if any, is already drained
	// and closed.
	OnRetry func(RetryEvent)
	// OnBudgetExhausted is called when a retry was wanted but the retry
	// budget refused it.
	OnBudgetExhausted func(RetryEvent)
}

// RetryEvent describes one step of the retry loop. Its pointers are only
// valid during the hook call.
type RetryEvent struct {
	// Request is the caller's request. Do not modify it.
	Request *http.Request
	// Attempt is the 1-based attempt that is starting (OnAttempt) or that
	// just failed (OnRetry, OnBudgetExhausted).
	Attempt int
	// Delay is the wait before the next attempt (OnRetry only).
	Delay time.Duration
	// Verdict is the classification of the failed attempt (not OnAttempt).
	Verdict Verdict
	// StatusCode is the failed attempt's status, or 0 for a transport
	// error (not OnAttempt).
	StatusCode int
	// Err is the failed attempt's error, if any (not OnAttempt).
	Err error
}
