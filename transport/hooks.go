package transport

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
)

// Hooks observe the whole assembled stack (New), in the spirit of
// net/http/httptrace: every stage reports to one struct. Every field is
// optional; a stack whose Hooks are all nil pays nothing for them. Hooks
// are called outside any lock of this module, on the goroutine of the call
// (OnBreakerStateChange: on the goroutine that made the transition, or a
// timer's); they must be safe for concurrent use and return quickly.
type Hooks struct {
	// OnCallStart is called when a call enters the stack.
	OnCallStart func(CallStart)
	// OnCallEnd is called when a call leaves the stack, with its result.
	OnCallEnd func(CallEnd)
	// OnAttempt is called before each attempt is sent.
	OnAttempt func(RetryEvent)
	// OnAttemptEnd is called when each attempt that was sent (retries
	// and hedges included; not those our own stages refused) has its
	// response headers or its error.
	OnAttemptEnd func(AttemptEnd)
	// OnRetry is called when a retry has been decided, before its wait.
	OnRetry func(RetryEvent)
	// OnBudgetExhausted is called when the retry budget refused a retry.
	OnBudgetExhausted func(RetryEvent)
	// OnBreakerStateChange is called after every transition of a host's
	// breaker (of the group New builds: a group passed in
	// Config.Breaker.Group reports through its own OnStateChange).
	OnBreakerStateChange func(breaker.StateChange)
	// OnRejected is called when one of our own stages refused a call
	// before sending it (an open breaker, a limit, a full queue).
	OnRejected func(Rejection)
	// OnPushback is called when a server's 429/503 with Retry-After
	// pauses a host.
	OnPushback func(Pushback)
}

// CallStart describes a call entering the stack.
type CallStart struct {
	// Request is the caller's request (read it; do not modify it).
	Request *http.Request
}

// CallEnd describes a call leaving the stack.
type CallEnd struct {
	// Request is the caller's request (read it; do not modify it).
	Request *http.Request
	// StatusCode is the final response's status, or 0 with Err.
	StatusCode int
	// Err is the call's error, if any.
	Err error
	// Verdict is the classification of the final result.
	Verdict Verdict
	// Attempts is the number of attempts sent (hedges included), 0 when
	// the call was refused before any.
	Attempts int
	// Duration is the time from entering the stack to the response
	// headers (or the error).
	Duration time.Duration
}

// AttemptEnd describes one attempt that was sent.
type AttemptEnd struct {
	// Request is the attempt's request, as sent.
	Request *http.Request
	// Attempt is the attempt's number within its call (1 for the first).
	Attempt int
	// StatusCode is the attempt's status, or 0 with Err.
	StatusCode int
	// Err is the attempt's error, if any.
	Err error
	// Verdict is the classification of the attempt's result by the
	// stack's Classifier (Config.Classifier), so that observers count
	// attempts as the stack judged them, not by status class.
	Verdict Verdict
	// Duration is the time from sending to the response headers (or the
	// error), the attempt timeout included.
	Duration time.Duration
}

// Rejection describes a call that one of our own stages refused.
type Rejection struct {
	// Request is the refused request; it was not sent.
	Request *http.Request
	// Stage is "breaker", "limit" (rate, pushback pause, concurrency or
	// throttle) or "queue".
	Stage string
	// Err is the stage's error (errors.Is finds its sentinel).
	Err error
}

// Pushback describes a pause that a server asked for.
type Pushback struct {
	// Host is the paused host key.
	Host string
	// Until is when the pause ends.
	Until time.Time
}

func (h Hooks) any() bool {
	return h.OnCallStart != nil || h.OnCallEnd != nil || h.OnAttempt != nil || h.OnAttemptEnd != nil || h.OnRetry != nil ||
		h.OnBudgetExhausted != nil || h.OnBreakerStateChange != nil || h.OnRejected != nil || h.OnPushback != nil
}

// callState is what the stack keeps about one call, reached by the stages
// below through the request context: the attempts the observe stage
// counts, and the replicas BalanceCall remembers. One per call, created by
// the outermost stage that needs it.
type callState struct {
	attempts atomic.Int32
	balance  balanceCall
}

type callStateKey struct{}

// callCtx is the caller's context carrying the call's state: one
// allocation where context.WithValue and a separate state would be two.
// Every other key, Done, Deadline and Err are the caller's context's, so
// contexts derived from it find the caller's cancellation as usual.
type callCtx struct {
	context.Context
	state callState
}

func (c *callCtx) Value(key any) any {
	if key == (callStateKey{}) {
		return &c.state
	}
	return c.Context.Value(key)
}

// countAttempt adds one attempt to the call of ctx, if it is observed, and
// returns its number (0 when the call is not observed).
func countAttempt(ctx context.Context) int {
	if cs, ok := ctx.Value(callStateKey{}).(*callState); ok {
		return int(cs.attempts.Add(1))
	}
	return 0
}

// observe returns the outermost stage of an observed stack.
func observe(h Hooks, classifier Classifier) Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		// Just above TotalTimeout (New's default stack), the call's
		// state rides on the total timeout's context: one request copy
		// per call, where a context of our own would cost another.
		total, fused := next.(*totalTimeout)
		return RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if h.OnCallStart != nil {
				h.OnCallStart(CallStart{Request: req})
			}
			start := time.Now()
			var resp *http.Response
			var cs *callState
			var err error
			if fused {
				resp, cs, err = total.roundTrip(req, true, start)
			} else {
				cc := &callCtx{Context: req.Context()}
				cs = &cc.state
				resp, err = next.RoundTrip(req.WithContext(cc))
			}
			if resp != nil && resp.Request != nil {
				resp.Request = req
			}
			if err != nil && h.OnRejected != nil {
				if stage := rejectionStage(err); stage != "" {
					h.OnRejected(Rejection{Request: req, Stage: stage, Err: err})
				}
			}
			if h.OnCallEnd != nil {
				end := CallEnd{Request: req, Err: err, Attempts: int(cs.attempts.Load()), Duration: time.Since(start)}
				end.Verdict = classifier.Classify(req, resp, err)
				if resp != nil {
					end.StatusCode = resp.StatusCode
				}
				h.OnCallEnd(end)
			}
			return resp, err
		})
	}
}

// rejectionStage names our stage that refused err, or "".
func rejectionStage(err error) string {
	switch {
	case errors.Is(err, breaker.ErrOpen):
		return "breaker"
	case errors.Is(err, queue.ErrFull), errors.Is(err, queue.ErrTimeout):
		return "queue"
	case errors.Is(err, limiter.ErrLimited):
		return "limit"
	}
	return ""
}

// countingAttempts counts every attempt that reaches it for the observed
// call, and reports its end: installed just above the attempt timeout,
// below hedging and our own refusals. With carry, the attempt's request
// carries its number for the middlewares below (AttemptNumber); without,
// none reads it and the attempt costs no context of its own.
func countingAttempts(onEnd func(AttemptEnd), classifier Classifier, carry bool) Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		// Just above AttemptTimeout (New's stack), the attempt's duration
		// is the one the deadline measured: no clock read of our own.
		timeout, timed := next.(*attemptTimeout)
		return RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			n := countAttempt(req.Context())
			sent := req
			if carry && n > 0 {
				sent = req.WithContext(&attemptCtx{Context: req.Context(), n: n})
			}
			if onEnd == nil {
				resp, err := next.RoundTrip(sent)
				return restoreRequest(resp, sent, req), err
			}
			var resp *http.Response
			var err error
			var took time.Duration
			if timed {
				resp, took, err = timeout.roundTrip(sent)
			} else {
				start := time.Now()
				resp, err = next.RoundTrip(sent)
				took = time.Since(start)
			}
			resp = restoreRequest(resp, sent, req)
			end := AttemptEnd{Request: req, Attempt: n, Err: err, Duration: took}
			end.Verdict = classifier.Classify(req, resp, err)
			if resp != nil {
				end.StatusCode = resp.StatusCode
			}
			onEnd(end)
			return resp, err
		})
	}
}

// restoreRequest gives the caller back its own request in resp, where the
// stage sent a copy of it.
func restoreRequest(resp *http.Response, sent, req *http.Request) *http.Response {
	if sent != req && resp != nil && resp.Request == sent {
		resp.Request = req
	}
	return resp
}

// joinRetryHooks calls a's hook, then b's, for each that is set.
func joinRetryHooks(a, b RetryHooks) RetryHooks {
	join := func(f, g func(RetryEvent)) func(RetryEvent) {
		switch {
		case f == nil:
			return g
		case g == nil:
			return f
		}
		return func(e RetryEvent) { f(e); g(e) }
	}
	return RetryHooks{
		OnAttempt:         join(a.OnAttempt, b.OnAttempt),
		OnRetry:           join(a.OnRetry, b.OnRetry),
		OnBudgetExhausted: join(a.OnBudgetExhausted, b.OnBudgetExhausted),
	}
}
