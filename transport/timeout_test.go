package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// slowBase answers after delay (honouring the context), with a body that
// trickles: each read waits perRead.
func slowBase(delay, perRead time.Duration, body string) http.RoundTripper {
	return stubFunc(func(req *http.Request) (*http.Response, error) {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		return &http.Response{StatusCode: 200, Header: http.Header{},
			Body: io.NopCloser(&trickle{ctx: req.Context(), r: strings.NewReader(body), per: perRead})}, nil
	})
}

type trickle struct {
	ctx context.Context
	r   io.Reader
	per time.Duration
}

func (t *trickle) Read(p []byte) (int, error) {
	select {
	case <-time.After(t.per):
	case <-t.ctx.Done():
		return 0, t.ctx.Err()
	}
	return t.r.Read(p[:min(len(p), 1)])
}

func TestAttemptTimeoutCutsAHungAttemptAndRetryGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		base := stubFunc(func(req *http.Request) (*http.Response, error) {
			n++
			if n == 1 {
				<-req.Context().Done() // hangs until cut off
				return nil, req.Context().Err()
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
		})
		at, err := transport.AttemptTimeout(2 * time.Second)
		mustNoErr(t, err)
		retry, err := transport.Retry(transport.RetryConfig{Backoff: backoff.Constant(0)})
		mustNoErr(t, err)
		rt := transport.Chain(base, retry, at)
		start := time.Now()
		resp, err := get(t, rt, "http://h.test/")
		if err != nil || resp.StatusCode != 200 || n != 2 || time.Since(start) != 2*time.Second {
			t.Fatalf("got %v %v after %v and %d attempts; want 200 after 2s and 2 attempts", resp, err, time.Since(start), n)
		}
	})
}

func TestAttemptTimeoutErrorIsATimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at, err := transport.AttemptTimeout(time.Second)
		mustNoErr(t, err)
		rt := transport.Chain(slowBase(time.Hour, 0, ""), at)
		_, err = get(t, rt, "http://h.test/")
		var ne net.Error
		if !errors.Is(err, transport.ErrAttemptTimeout) || !errors.Is(err, context.DeadlineExceeded) ||
			!errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v: want ErrAttemptTimeout, DeadlineExceeded and a net.Error timeout", err)
		}
		// The message says the cancellation was ours, not a contradiction
		// ("timed out after 1s: context canceled").
		if msg := err.Error(); !strings.Contains(msg, "attempt timed out after 1s without response headers (the attempt, canceled, returned: context canceled)") {
			t.Errorf("message %q: want it to say the attempt was canceled by the timeout", msg)
		}
		v := transport.DefaultClassifier().Classify(httpGet(t, "http://h.test/"), nil, err)
		if !v.Retryable || v.Reason != transport.ReasonTimeout {
			t.Fatalf("classified %+v, want a retryable timeout", v)
		}
	})
}

// The attempt met its timeout (headers in 1s of 2s); reading the body then
// takes 5s more and is not cut off.
func TestAttemptTimeoutDoesNotCutOffTheBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at, err := transport.AttemptTimeout(2 * time.Second)
		mustNoErr(t, err)
		rt := transport.Chain(slowBase(time.Second, time.Second, "hello"), at)
		resp, err := rt.RoundTrip(httpGet(t, "http://h.test/"))
		mustNoErr(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "hello" {
			t.Fatalf("body %q, err %v: the body was cut off", body, err)
		}
	})
}

func TestAttemptTimeoutCallerDeadlineWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at, err := transport.AttemptTimeout(time.Hour)
		mustNoErr(t, err)
		rt := transport.Chain(slowBase(time.Hour, 0, ""), at)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err = rt.RoundTrip(httpGet(t, "http://h.test/").WithContext(ctx))
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, transport.ErrAttemptTimeout) || time.Since(start) != time.Second {
			t.Fatalf("err = %v after %v: want the caller's deadline at 1s", err, time.Since(start))
		}
	})
}

// Retry sees the total deadline and does not start a wait that would
// outlive it.
func TestTotalTimeoutBoundsTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		total, err := transport.TotalTimeout(3 * time.Second)
		mustNoErr(t, err)
		retry, err := transport.Retry(transport.RetryConfig{MaxAttempts: 10, Backoff: backoff.Constant(time.Second), Budget: backoff.Unlimited()})
		mustNoErr(t, err)
		s := &script{steps: []step{{err: errReset}}}
		rt := transport.Chain(s, total, retry)
		start := time.Now()
		_, err = get(t, rt, "http://h.test/")
		if !errors.Is(err, transport.ErrDeadlineTooSoon) && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a deadline stop", err)
		}
		if got := time.Since(start); got > 3*time.Second || s.Calls() > 4 {
			t.Fatalf("call took %v and %d attempts, want <= 3s", got, s.Calls())
		}
	})
}

func TestTimeoutConfigErrors(t *testing.T) {
	if _, err := transport.AttemptTimeout(0); !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("AttemptTimeout(0): %v", err)
	}
	if _, err := transport.TotalTimeout(-time.Second); !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("TotalTimeout(-1s): %v", err)
	}
}
