package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// ErrAttemptTimeout is the cause of an attempt cut off by AttemptTimeout.
// The error returned matches both it and context.DeadlineExceeded, and is
// a net.Error whose Timeout() is true, so DefaultClassifier calls it a
// retryable timeout.
var ErrAttemptTimeout = errors.New("transport: attempt timed out")

// attemptTimeoutError is what an attempt cut off by AttemptTimeout returns.
type attemptTimeoutError struct {
	after time.Duration
	err   error // what the layer below returned
}

func (e *attemptTimeoutError) Error() string {
	// The error below is what the attempt returned once we canceled it
	// (usually "context canceled"): say so, or the message reads as a
	// timeout and a cancellation at once.
	return "transport: attempt timed out after " + e.after.String() +
		" without response headers (the attempt, canceled, returned: " + e.err.Error() + ")"
}
func (e *attemptTimeoutError) Unwrap() []error {
	return []error{ErrAttemptTimeout, context.DeadlineExceeded, e.err}
}
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }

// AttemptTimeout returns a middleware that gives each attempt at most d to
// produce its response headers. Placed below Retry (Chain(base, retry,
// ..., AttemptTimeout(d))), it turns a hung attempt into a retryable
// timeout while the call as a whole goes on.
//
// The limit covers the wait for the response, not the reading of its body:
// once the headers have arrived in time the clock stops, and a caller
// streaming a large body is not cut off by a timeout that the attempt
// already met. The attempt's context is released when the body is closed
// or read to its end. The caller's own deadline still applies throughout,
// and wins when it is sooner. The response's Request is the caller's
// request, not the attempt's copy.
//
// Below TotalTimeout in New's stack, an attempt costs no allocation: it
// holds the call's context (see callContext) for the wait for its
// headers. Elsewhere each attempt costs a context and a shallow copy of
// the request, and a timer when the layer below asks for the context's
// Done channel (net/http's Transport does). d must be positive.
func AttemptTimeout(d time.Duration) (Middleware, error) {
	if d <= 0 {
		return nil, fieldError("AttemptTimeout", "d is %v, must be > 0", d)
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &attemptTimeout{d: d, next: next}
	}, nil
}

type attemptTimeout struct {
	d    time.Duration
	next http.RoundTripper
}

var _ http.RoundTripper = (*attemptTimeout)(nil)

// RoundTrip implements http.RoundTripper.
func (t *attemptTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, _, err := t.roundTrip(req)
	return resp, err
}

// roundTrip is RoundTrip, and also returns the attempt's time from
// sending to its headers, read from the clock reads the deadline needs
// anyway (countingAttempts, just above in an observed stack, reports it).
func (t *attemptTimeout) roundTrip(req *http.Request) (_ *http.Response, took time.Duration, _ error) {
	ctx := req.Context()
	if ac, ok := ctx.(*attemptCtx); ok {
		ctx = ac.Context // the attempt's number, over the call's context
	}
	if c, ok := ctx.(*callContext); ok {
		d := t.d
		if c.attemptD > 0 {
			d = c.attemptD
		}
		sent := c.elapsed()
		if epoch, ok := c.hold(d, sent); ok {
			resp, err := t.next.RoundTrip(req)
			now := c.elapsed()
			if c.release(now) {
				if err == nil {
					drainAndClose(resp)
					err = ErrAttemptTimeout
				}
				c.reopen()
				resp, err = t.late(req, err, d)
				return resp, now - sent, err
			}
			if err == nil && resp.Body != nil && resp.Body != http.NoBody {
				resp.Body = &attemptBody{ReadCloser: resp.Body, c: c, epoch: epoch}
			}
			return resp, now - sent, err
		}
	}
	d := t.d
	if o := callOptions(ctx); o != nil && o.AttemptTimeout > 0 {
		d = o.AttemptTimeout
	}
	c := newCallContext(req.Context(), time.Now(), 0)
	c.held, c.attempt = true, d
	resp, err := t.next.RoundTrip(req.WithContext(c))
	took = c.elapsed()
	if c.release(took) {
		if err == nil {
			drainAndClose(resp)
			err = ErrAttemptTimeout
		}
		c.cancel()
		resp, err = t.late(req, err, d)
		return resp, took, err
	}
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		c.cancel()
		return withRequest(resp, req), took, err
	}
	// In time: keep the attempt's context alive while the caller reads.
	resp.Body = &callBody{ReadCloser: resp.Body, c: c}
	resp.Request = req
	return resp, took, nil
}

// late is the error of an attempt whose deadline passed before it
// returned (err: what it returned, or ErrAttemptTimeout for a response
// that came too late), once its context is the call's again.
func (t *attemptTimeout) late(req *http.Request, err error, d time.Duration) (*http.Response, error) {
	if req.Context().Err() == nil {
		return nil, &attemptTimeoutError{after: d, err: err}
	}
	return nil, err // the caller's own end came first or with it
}

// releasingBody calls release once, when the body is closed or read to
// its end.
type releasingBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(b.release)
	}
	return n, err
}

func (b *releasingBody) Close() error {
	// Release first: cancelling the context ends a read in progress
	// (a stalled body being drained), which a Close alone might wait for.
	b.once.Do(b.release)
	return b.ReadCloser.Close()
}

// TotalTimeout returns a middleware that bounds a whole call, every retry
// and wait included, to d: the outermost stage of the stack below
// observation. It sets a deadline on the request's context, so Retry sees
// it and does not start a wait that would outlive it; the caller's own
// deadline wins when it is sooner. Unlike AttemptTimeout it also bounds the
// reading of the body, as http.Client.Timeout does: it is the caller's
// whole budget for the call. The response's Request is the caller's
// request. Each call costs a context and a shallow copy of the request,
// and a timer when a layer below asks for the context's Done channel. d
// must be positive.
func TotalTimeout(d time.Duration) (Middleware, error) {
	return totalTimeoutStage(d, false)
}

// totalTimeoutStage is TotalTimeout; with holdable, the AttemptTimeout
// stage below (New's stack) holds the call's context for each attempt
// instead of making one of its own.
func totalTimeoutStage(d time.Duration, holdable bool) (Middleware, error) {
	if d <= 0 {
		return nil, fieldError("TotalTimeout", "d is %v, must be > 0", d)
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &totalTimeout{d: d, holdable: holdable, next: next}
	}, nil
}

type totalTimeout struct {
	d        time.Duration
	holdable bool
	next     http.RoundTripper
}

var _ http.RoundTripper = (*totalTimeout)(nil)

// RoundTrip implements http.RoundTripper.
func (t *totalTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, _, err := t.roundTrip(req, false, time.Now())
	return resp, err
}

// roundTrip is RoundTrip for a call that entered the stack at start. With
// observed (the observe stage just above, fused with this one), the
// call's state rides on the deadline's context, which it returns, so that
// the observed call costs no context of its own, and no clock read more.
func (t *totalTimeout) roundTrip(req *http.Request, observed bool, start time.Time) (*http.Response, *callState, error) {
	parent := req.Context()
	d := t.d
	var attemptD time.Duration
	if o := callOptions(parent); o != nil {
		if o.TotalTimeout > 0 {
			d = o.TotalTimeout
		}
		attemptD = o.AttemptTimeout
	}
	c := newCallContext(parent, start, d)
	c.holdable, c.observed, c.attemptD = t.holdable, observed, attemptD
	resp, err := t.next.RoundTrip(req.WithContext(c))
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		c.cancel()
		return withRequest(resp, req), &c.state, err
	}
	resp.Body = &callBody{ReadCloser: resp.Body, c: c}
	resp.Request = req
	return resp, &c.state, nil
}
