package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// The deadlines of New's stack, where each attempt holds the call's one
// context (issue 21): the same semantics as two contexts made by hand.

// newTimed is New's default stack over base with the given timeouts,
// retries without backoff.
func newTimed(t *testing.T, base http.RoundTripper, attempt, total time.Duration, attempts int) http.RoundTripper {
	t.Helper()
	rt, err := transport.New(transport.Config{Base: base,
		Timeout: transport.TimeoutConfig{Attempt: attempt, Total: total},
		Retry:   transport.RetryConfig{MaxAttempts: attempts, Backoff: backoff.Constant(0), Budget: backoff.Unlimited()}})
	mustNoErr(t, err)
	return rt
}

// A context derived from the attempt's (as net/http's Transport derives
// one per request) ends with the attempt's deadline; the retry's attempt
// gets a live one, and its derived context is not ended by the first.
func TestNewAttemptDeadlineEndsDerivedContexts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var derived []context.Context
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			ctx, cancel := context.WithCancelCause(req.Context())
			defer cancel(nil)
			derived = append(derived, ctx)
			if len(derived) == 1 {
				<-ctx.Done() // hangs until cut off
				return nil, context.Cause(ctx)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
		})
		rt := newTimed(t, base, time.Second, time.Hour, 3)
		start := time.Now()
		resp, err := get(t, rt, "http://h.test/")
		if err != nil || resp.StatusCode != 200 || len(derived) != 2 || time.Since(start) != time.Second {
			t.Fatalf("got %v, %v after %v and %d attempts; want 200 after 1s and 2 attempts", resp, err, time.Since(start), len(derived))
		}
		if !errors.Is(derived[0].Err(), context.Canceled) {
			t.Errorf("first attempt's derived context: %v, want canceled", derived[0].Err())
		}
	})
}

// A body whose headers came in time is read past the attempt timeout, but
// not past the total one, which ends the read with DeadlineExceeded.
func TestNewBodyOutlivesTheAttemptNotTheCall(t *testing.T) {
	for _, c := range []struct {
		body    string
		wantErr error
	}{{"abc", nil}, {"abcdefghij", context.DeadlineExceeded}} {
		synctest.Test(t, func(t *testing.T) {
			// Headers after 1s of 2s; each byte 1s more; the call has 5s.
			rt := newTimed(t, slowBase(time.Second, time.Second, c.body), 2*time.Second, 5*time.Second, 1)
			resp, err := rt.RoundTrip(httpGet(t, "http://h.test/"))
			mustNoErr(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil && string(body) != c.body) {
				t.Fatalf("read %q, %v; want %q with error %v", body, err, c.body, c.wantErr)
			}
		})
	}
}

// A response that came after the attempt's deadline, from a RoundTripper
// that ignores its context, is discarded (its body closed) and the
// attempt is a timeout; the call's deadline, past, is DeadlineExceeded.
func TestNewLateResponseIsAnAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var closed []bool
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			time.Sleep(2 * time.Second)
			closed = append(closed, false)
			i := len(closed) - 1
			return &http.Response{StatusCode: 200, Request: req,
				Body: closeFunc{Reader: strings.NewReader("late"), close: func() { closed[i] = true }}}, nil
		})
		rt := newTimed(t, base, time.Second, 3*time.Second, 3)
		_, err := get(t, rt, "http://h.test/")
		if len(closed) != 2 || !closed[0] || !closed[1] {
			t.Fatalf("bodies closed: %v, want both late attempts' closed", closed)
		}
		// The second attempt ended with the call, at 4s: the caller's end.
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		rt = newTimed(t, base, time.Second, time.Hour, 1)
		_, err = get(t, rt, "http://h.test/")
		if !errors.Is(err, transport.ErrAttemptTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want an attempt timeout", err)
		}
	})
}

type closeFunc struct {
	io.Reader
	close func()
}

func (c closeFunc) Close() error { c.close(); return nil }

// The caller's cancellation, with its cause, reaches an attempt waiting on
// its context, and the call ends with it at once.
func TestNewCallerCancelReachesTheAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cause := errors.New("caller went away")
		var seen error
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done()
			seen = context.Cause(req.Context())
			return nil, req.Context().Err()
		})
		rt := newTimed(t, base, 4*time.Second, time.Hour, 3)
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(cause) })
		start := time.Now()
		_, err := rt.RoundTrip(httpGet(t, "http://h.test/").WithContext(ctx))
		if !errors.Is(err, context.Canceled) || errors.Is(err, transport.ErrAttemptTimeout) || time.Since(start) != time.Second {
			t.Fatalf("err = %v after %v, want the caller's cancel at 1s", err, time.Since(start))
		}
		if seen != cause {
			t.Errorf("the attempt saw cause %v, want the caller's", seen)
		}
	})
}

// The call's deadline ends hung attempts and the waits between them: the
// error matches DeadlineExceeded, and each cut attempt was retried.
func TestNewTotalDeadlineEndsTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			n++
			<-req.Context().Done()
			return nil, req.Context().Err()
		})
		rt := newTimed(t, base, time.Second, 2500*time.Millisecond, 10)
		start := time.Now()
		_, err := get(t, rt, "http://h.test/")
		if !errors.Is(err, context.DeadlineExceeded) || n != 3 || time.Since(start) != 2500*time.Millisecond {
			t.Fatalf("err = %v after %v and %d attempts; want DeadlineExceeded at 2.5s after 3", err, time.Since(start), n)
		}
	})
}
