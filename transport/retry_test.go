package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"net"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// retrying builds a Retry middleware over base with cfg, failing the test
// on a config error.
func retrying(t testing.TB, cfg transport.RetryConfig, base http.RoundTripper) http.RoundTripper {
	t.Helper()
	mw, err := transport.Retry(cfg)
	mustNoErr(t, err)
	return transport.Chain(base, mw)
}

var (
	errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
)

func TestRetryConfigValidation(t *testing.T) {
	for _, cfg := range []transport.RetryConfig{
		{MaxAttempts: -1},
		{MaxRetryAfter: -time.Second},
	} {
		if _, err := transport.Retry(cfg); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("Retry(%+v) err = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

func TestRetryRecoversAndReturnsFinalResponseUntouched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 503, body: "busy"}, {err: errReset}, {status: 200, body: "hello"}}}
		rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(time.Second)}, s)
		req := httptest.NewRequest("GET", "http://x.test/", nil)
		start := time.Now()
		resp, err := rt.RoundTrip(req)
		mustNoErr(t, err)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "hello" {
			t.Fatalf("got %d %q, want 200 hello", resp.StatusCode, body)
		}
		if s.Calls() != 3 {
			t.Fatalf("attempts = %d, want 3", s.Calls())
		}
		if waited := time.Since(start); waited != 2*time.Second {
			t.Fatalf("waited %v, want 2s (two constant 1s backoffs)", waited)
		}
	})
}

func TestRetryExhaustedReturnsLastResponseNotError(t *testing.T) {
	s := &script{steps: []step{{status: 502, body: "first"}, {status: 503, body: "last"}}}
	rt := retrying(t, transport.RetryConfig{MaxAttempts: 4, Backoff: backoff.Constant(0)}, s)
	resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
	mustNoErr(t, err)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || string(body) != "last" || s.Calls() != 4 {
		t.Fatalf("got %d %q after %d attempts, want 503 last after 4", resp.StatusCode, body, s.Calls())
	}
}

func TestRetryExhaustedTransportErrorSaysAttemptsAndCause(t *testing.T) {
	s := &script{steps: []step{{err: errReset}}}
	rt := retrying(t, transport.RetryConfig{MaxAttempts: 3, Backoff: backoff.Constant(0)}, s)
	_, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
	var re *transport.RetryError
	if !errors.As(err, &re) || re.Attempts != 3 {
		t.Fatalf("err = %v, want *RetryError with 3 attempts", err)
	}
	if !errors.Is(err, syscall.ECONNRESET) || !errors.Is(err, transport.ErrAttemptsExhausted) {
		t.Fatalf("err = %v: does not wrap the cause and ErrAttemptsExhausted", err)
	}
	if !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("message %q does not say how many attempts", err)
	}
}

func TestRetryDiscardedResponsesAreClosed(t *testing.T) {
	var bodies []*trackedBody
	n := 0
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		n++
		b := &trackedBody{Reader: strings.NewReader(strings.Repeat("x", 1000))}
		bodies = append(bodies, b)
		code := 503
		if n == 3 {
			code = 200
		}
		return &http.Response{StatusCode: code, Body: b, Header: http.Header{}}, nil
	})
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, base)
	resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
	mustNoErr(t, err)
	defer resp.Body.Close()
	if len(bodies) != 3 {
		t.Fatalf("attempts = %d, want 3", len(bodies))
	}
	for i, b := range bodies[:2] {
		if !b.closed.Load() {
			t.Errorf("discarded body %d not closed", i)
		}
		if rest, _ := io.ReadAll(b); len(rest) != 0 {
			t.Errorf("discarded body %d not drained: %d bytes left", i, len(rest))
		}
	}
	if bodies[2].closed.Load() {
		t.Error("the final response's body was closed before the caller read it")
	}
}

func TestRetryReplaysBodyByteForByte(t *testing.T) {
	payload := bytes.Repeat([]byte("resilient-\x00\xff"), 5000)
	s := &script{steps: []step{{status: 503}, {err: errReset}, {status: 200}}}
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
	req, _ := http.NewRequest("PUT", "http://x.test/", bytes.NewReader(payload))
	resp, err := rt.RoundTrip(req)
	mustNoErr(t, err)
	resp.Body.Close()
	if len(s.bodies) != 3 {
		t.Fatalf("attempts = %d, want 3", len(s.bodies))
	}
	for i, got := range s.bodies {
		if got != string(payload) {
			t.Fatalf("attempt %d sent %d bytes, want the %d-byte payload", i+1, len(got), len(payload))
		}
	}
}

func TestRetryNeverResendsANonReplayableBody(t *testing.T) {
	s := &script{steps: []step{{status: 503}, {status: 200}}}
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
	req, _ := http.NewRequest("PUT", "http://x.test/", io.NopCloser(strings.NewReader("once")))
	if req.GetBody != nil {
		t.Fatal("test needs a body without GetBody")
	}
	resp, err := rt.RoundTrip(req)
	mustNoErr(t, err)
	resp.Body.Close()
	if s.Calls() != 1 || s.bodies[0] != "once" || resp.StatusCode != 503 {
		t.Fatalf("attempts=%d bodies=%q status=%d, want one attempt with the body and its 503", s.Calls(), s.bodies, resp.StatusCode)
	}

	s = &script{steps: []step{{err: errReset}}}
	rt = retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
	req, _ = http.NewRequest("PUT", "http://x.test/", io.NopCloser(strings.NewReader("once")))
	_, err = rt.RoundTrip(req)
	if !errors.Is(err, transport.ErrBodyNotReplayable) || s.Calls() != 1 {
		t.Fatalf("err=%v attempts=%d, want ErrBodyNotReplayable after 1", err, s.Calls())
	}
}

func TestRetryDoesNotModifyCallersRequest(t *testing.T) {
	s := &script{steps: []step{{status: 503}, {status: 503}, {status: 200}}}
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
	req, _ := http.NewRequest("PUT", "http://x.test/a?b=c", strings.NewReader("payload"))
	req.Header.Set("X-Test", "1")
	body, url, ctx := req.Body, req.URL.String(), req.Context()
	resp, err := rt.RoundTrip(req)
	mustNoErr(t, err)
	resp.Body.Close()
	if req.Body != body || req.URL.String() != url || req.Context() != ctx ||
		len(req.Header) != 1 || req.Header.Get("X-Test") != "1" {
		t.Fatal("caller's request was modified")
	}
}

func TestRetryPOSTNotRetriedOnceSent(t *testing.T) {
	for _, st := range []step{{status: 503}, {err: errReset}} {
		s := &script{steps: []step{st, {status: 200}}}
		rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
		req, _ := http.NewRequest("POST", "http://x.test/", strings.NewReader("charge"))
		resp, err := rt.RoundTrip(req)
		if s.Calls() != 1 {
			t.Fatalf("%+v: POST sent %d times, want 1", st, s.Calls())
		}
		if st.err != nil && !errors.Is(err, transport.ErrNotIdempotent) {
			t.Fatalf("err = %v, want ErrNotIdempotent", err)
		}
		if st.err == nil && (err != nil || resp.StatusCode != 503) {
			t.Fatalf("got %v %v, want the 503", resp, err)
		}
	}
}

func TestRetryPOSTRetriedWhenSafe(t *testing.T) {
	cases := map[string]func(*http.Request) *http.Request{
		"dial refused (nothing sent)": func(r *http.Request) *http.Request { return r },
		"Idempotency-Key": func(r *http.Request) *http.Request {
			r.Header.Set("Idempotency-Key", "k1")
			return r
		},
		"WithIdempotent": func(r *http.Request) *http.Request {
			return r.WithContext(transport.WithIdempotent(r.Context()))
		},
	}
	for name, prep := range cases {
		first := step{status: 503}
		if name == "dial refused (nothing sent)" {
			first = step{err: errRefused}
		}
		s := &script{steps: []step{first, {status: 200}}}
		rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
		req, _ := http.NewRequest("POST", "http://x.test/", strings.NewReader("charge"))
		resp, err := rt.RoundTrip(prep(req))
		mustNoErr(t, err)
		resp.Body.Close()
		if s.Calls() != 2 || resp.StatusCode != 200 || s.bodies[1] != "charge" {
			t.Fatalf("%s: %d attempts, status %d, bodies %q; want 2 attempts ending 200 with the body replayed",
				name, s.Calls(), resp.StatusCode, s.bodies)
		}
	}
}

func TestRetryAfterBothFormsAndClamp(t *testing.T) {
	cases := []struct {
		name          string
		retryAfter    func(now time.Time) string
		maxRetryAfter time.Duration
		want          time.Duration
	}{
		{"delta-seconds", func(time.Time) string { return "2" }, 0, 2 * time.Second},
		{"HTTP-date", func(now time.Time) string { return now.Add(3 * time.Second).UTC().Format(http.TimeFormat) }, 0, 3 * time.Second},
		{"clamped", func(time.Time) string { return "120" }, 5 * time.Second, 5 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &script{steps: []step{{status: 429, retryAfter: c.retryAfter(time.Now())}, {status: 200}}}
				// A backoff far below the server's value: jitter must never
				// bring the wait under Retry-After.
				rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(time.Millisecond), MaxRetryAfter: c.maxRetryAfter}, s)
				start := time.Now()
				resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
				mustNoErr(t, err)
				resp.Body.Close()
				if got := time.Since(start); got != c.want || resp.StatusCode != 200 {
					t.Fatalf("waited %v and got %d, want %v and 200", got, resp.StatusCode, c.want)
				}
			})
		})
	}
}

func TestRetryBackoffLongerThanRetryAfterWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 503, retryAfter: "1"}, {status: 200}}}
		rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(4 * time.Second)}, s)
		start := time.Now()
		resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
		mustNoErr(t, err)
		resp.Body.Close()
		if got := time.Since(start); got != 4*time.Second {
			t.Fatalf("waited %v, want 4s", got)
		}
	})
}

func TestRetryCancelStopsBackoffWaitAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{err: errReset}}}
		rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(time.Hour)}, s)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Second) // fake time inside the bubble
			cancel()
		}()
		start := time.Now()
		_, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil).WithContext(ctx))
		if got := time.Since(start); got != time.Second {
			t.Fatalf("returned after %v, want 1s (at the cancel)", got)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("err = %v, want context.Canceled wrapping the last cause", err)
		}
	})
}

func TestRetrySkippedWhenDeadlineTooSoon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{err: errReset}, {status: 200}}}
		rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(5 * time.Second)}, s)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil).WithContext(ctx))
		if !errors.Is(err, transport.ErrDeadlineTooSoon) || time.Since(start) != 0 || s.Calls() != 1 {
			t.Fatalf("err=%v after %v and %d attempts, want ErrDeadlineTooSoon at once after 1", err, time.Since(start), s.Calls())
		}
	})
}

func TestRetryCallerCancelIsNotRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var attempts int
	base := stubFunc(func(req *http.Request) (*http.Response, error) {
		attempts++
		cancel()
		return nil, context.Canceled
	})
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, base)
	_, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil).WithContext(ctx))
	if !errors.Is(err, context.Canceled) || attempts != 1 {
		t.Fatalf("err=%v attempts=%d, want context.Canceled after 1", err, attempts)
	}
}

func TestRetryPermanentErrorNotRetried(t *testing.T) {
	s := &script{steps: []step{{err: errors.New(`unsupported protocol scheme "gopher"`)}}}
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0)}, s)
	_, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
	if err == nil || s.Calls() != 1 {
		t.Fatalf("err=%v attempts=%d, want the error after 1 attempt", err, s.Calls())
	}
}

func TestRetryBudgetRefusalSaysSoAndCallsHook(t *testing.T) {
	budget, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 1, NoFloor: true})
	mustNoErr(t, err)
	var refused int
	s := &script{steps: []step{{err: errReset}}}
	rt := retrying(t, transport.RetryConfig{
		MaxAttempts: 5,
		Backoff:     backoff.Constant(0),
		Budget:      budget,
		Hooks:       transport.RetryHooks{OnBudgetExhausted: func(transport.RetryEvent) { refused++ }},
	}, s)
	_, err = rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
	// One token: the first retry is allowed, the second refused.
	if !errors.Is(err, backoff.ErrBudgetExhausted) || s.Calls() != 2 || refused != 1 {
		t.Fatalf("err=%v attempts=%d refused=%d, want ErrBudgetExhausted after 2 attempts, hook once", err, s.Calls(), refused)
	}
}

func TestRetryHooksSeeEveryStep(t *testing.T) {
	var events []string
	hooks := transport.RetryHooks{
		OnAttempt: func(e transport.RetryEvent) { events = append(events, "attempt "+itoa(e.Attempt)) },
		OnRetry: func(e transport.RetryEvent) {
			events = append(events, "retry "+itoa(e.Attempt)+" "+e.Verdict.Reason.String()+" "+e.Delay.String()+" "+itoa(e.StatusCode))
		},
	}
	s := &script{steps: []step{{status: 429}, {err: errReset}, {status: 200}}}
	rt := retrying(t, transport.RetryConfig{Backoff: backoff.Constant(0), Hooks: hooks}, s)
	resp, err := rt.RoundTrip(httptest.NewRequest("GET", "http://x.test/", nil))
	mustNoErr(t, err)
	resp.Body.Close()
	want := "attempt 1|retry 1 throttled 0s 429|attempt 2|retry 2 transport 0s 0|attempt 3"
	if got := strings.Join(events, "|"); got != want {
		t.Fatalf("events = %q\nwant     %q", got, want)
	}
}
