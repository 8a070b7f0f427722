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
// Each attempt costs what the standard library charges for a cancellable
// request: a context, a timer and a shallow copy of the request. d must be
// positive.
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
	d := t.d
	if o := callOptions(req.Context()); o != nil && o.AttemptTimeout > 0 {
		d = o.AttemptTimeout
	}
	ctx, cancel := context.WithCancel(req.Context())
	timer := time.AfterFunc(d, cancel)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if !timer.Stop() {
		// The timer fired (and cancelled ctx): whatever came back came
		// too late.
		cancel()
		if err == nil {
			drainAndClose(resp)
			err = ErrAttemptTimeout
		}
		if req.Context().Err() == nil {
			return nil, &attemptTimeoutError{after: d, err: err}
		}
		return nil, err // the caller's own end came first or with it
	}
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		cancel()
		return withRequest(resp, req), err
	}
	// In time: keep the attempt's context alive while the caller reads.
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: cancel}
	resp.Request = req
	return resp, nil
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
// request. d must be positive.
func TotalTimeout(d time.Duration) (Middleware, error) {
	if d <= 0 {
		return nil, fieldError("TotalTimeout", "d is %v, must be > 0", d)
	}
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &totalTimeout{d: d, next: next}
	}, nil
}

type totalTimeout struct {
	d    time.Duration
	next http.RoundTripper
}

var _ http.RoundTripper = (*totalTimeout)(nil)

// RoundTrip implements http.RoundTripper.
func (t *totalTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.roundTrip(req, nil)
}

// roundTrip is RoundTrip; with cc (the observe stage just above, fused
// with this one), the call's state rides on the deadline's context, so
// that the observed call copies its request once, not twice.
func (t *totalTimeout) roundTrip(req *http.Request, cc *callCtx) (*http.Response, error) {
	d := t.d
	if o := callOptions(req.Context()); o != nil && o.TotalTimeout > 0 {
		d = o.TotalTimeout
	}
	ctx, cancel := context.WithTimeout(req.Context(), d)
	var below context.Context = ctx
	if cc != nil {
		cc.Context = ctx
		below = cc
	}
	resp, err := t.next.RoundTrip(req.WithContext(below))
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		cancel()
		return withRequest(resp, req), err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: cancel}
	resp.Request = req
	return resp, nil
}
