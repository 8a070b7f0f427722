package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/resilient-go/resilient/transport"
)

func response(code int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: code, Header: h, Body: http.NoBody}
}

func TestDefaultClassifierStatuses(t *testing.T) {
	req := httptest.NewRequest("GET", "http://x.test/", nil)
	cases := []struct {
		code       int
		retryAfter string
		want       transport.Verdict
	}{
		{200, "", transport.Verdict{Outcome: transport.Success}},
		{204, "", transport.Verdict{Outcome: transport.Success}},
		{404, "", transport.Verdict{Outcome: transport.Success}},
		{400, "", transport.Verdict{Outcome: transport.Success}},
		{501, "", transport.Verdict{Outcome: transport.Success}},
		{500, "", transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError}},
		{502, "", transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError}},
		{504, "", transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError}},
		{503, "7", transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError, RetryAfter: 7 * time.Second}},
		{429, "", transport.Verdict{Outcome: transport.Ignored, Retryable: true, Reason: transport.ReasonThrottled}},
		{429, "3", transport.Verdict{Outcome: transport.Ignored, Retryable: true, Reason: transport.ReasonThrottled, RetryAfter: 3 * time.Second}},
		{429, "garbage", transport.Verdict{Outcome: transport.Ignored, Retryable: true, Reason: transport.ReasonThrottled}},
		// Retry-After on a 500 is not a pushback signal.
		{500, "9", transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonServerError}},
	}
	for _, c := range cases {
		got := transport.DefaultClassifier().Classify(req, response(c.code, c.retryAfter), nil)
		if got != c.want {
			t.Errorf("%d Retry-After %q: got %+v, want %+v", c.code, c.retryAfter, got, c.want)
		}
	}
}

func TestDefaultClassifierRetryAfterHTTPDate(t *testing.T) {
	req := httptest.NewRequest("GET", "http://x.test/", nil)
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	got := transport.DefaultClassifier().Classify(req, response(429, date), nil)
	if got.RetryAfter < 59*time.Minute || got.RetryAfter > time.Hour {
		t.Fatalf("RetryAfter = %v, want about 1h", got.RetryAfter)
	}
}

func TestDefaultClassifierErrors(t *testing.T) {
	live := httptest.NewRequest("GET", "http://x.test/", nil)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cases := []struct {
		name   string
		err    error
		want   transport.Verdict
		sentOK bool // NotSent(err)
	}{
		{"refused", refused, transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonTransport}, true},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
			transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonTransport}, false},
		{"eof", io.ErrUnexpectedEOF, transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonTransport}, false},
		{"attempt timeout", context.DeadlineExceeded, transport.Verdict{Outcome: transport.Failure, Retryable: true, Reason: transport.ReasonTimeout}, false},
		{"scheme", errors.New(`unsupported protocol scheme "gopher"`), transport.Verdict{Outcome: transport.Failure, Reason: transport.ReasonPermanent}, false},
	}
	for _, c := range cases {
		got := transport.DefaultClassifier().Classify(live, nil, c.err)
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
		if transport.NotSent(c.err) != c.sentOK {
			t.Errorf("%s: NotSent = %v, want %v", c.name, !c.sentOK, c.sentOK)
		}
	}
}

func TestDefaultClassifierCallerCancelIsIgnored(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "http://x.test/", nil).WithContext(ctx)
	got := transport.DefaultClassifier().Classify(req, nil, context.Canceled)
	want := transport.Verdict{Outcome: transport.Ignored, Reason: transport.ReasonCanceled}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// Real errors from net/http, not hand-made ones: a TLS server whose
// certificate the client does not trust, and an unsupported scheme.
func TestDefaultClassifierRealPermanentErrors(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()

	req, _ := http.NewRequest("GET", srv.URL, nil)
	_, err := tr.RoundTrip(req)
	if err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	if v := transport.DefaultClassifier().Classify(req, nil, err); v.Retryable || v.Reason != transport.ReasonPermanent {
		t.Errorf("certificate error %q: got %+v, want permanent", err, v)
	}

	req, _ = http.NewRequest("GET", "gopher://x.test/", nil)
	_, err = tr.RoundTrip(req)
	if v := transport.DefaultClassifier().Classify(req, nil, err); v.Retryable || v.Reason != transport.ReasonPermanent {
		t.Errorf("scheme error %q: got %+v, want permanent", err, v)
	}
}

func TestNotSentRealDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustNoErr(t, err)
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("POST", "http://"+addr+"/", nil)
	_, err = tr.RoundTrip(req)
	if err == nil {
		t.Fatal("dial to a closed port succeeded")
	}
	if !transport.NotSent(err) {
		t.Fatalf("NotSent(%v) = false, want true", err)
	}
}

func TestMarkNotSent(t *testing.T) {
	sentinel := errors.New("breaker open")
	err := transport.MarkNotSent(sentinel)
	if !transport.NotSent(err) || !errors.Is(err, sentinel) || err.Error() != sentinel.Error() {
		t.Fatalf("MarkNotSent: NotSent=%v Is=%v msg=%q", transport.NotSent(err), errors.Is(err, sentinel), err)
	}
	if transport.MarkNotSent(nil) != nil {
		t.Fatal("MarkNotSent(nil) != nil")
	}
	if transport.NotSent(sentinel) || transport.NotSent(nil) {
		t.Fatal("NotSent true for an unmarked error")
	}
}

func TestIsIdempotent(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"} {
		if !transport.IsIdempotent(httptest.NewRequest(m, "http://x.test/", nil)) {
			t.Errorf("%s not idempotent", m)
		}
	}
	post := httptest.NewRequest("POST", "http://x.test/", nil)
	if transport.IsIdempotent(post) {
		t.Error("POST idempotent")
	}
	if transport.IsIdempotent(httptest.NewRequest("PATCH", "http://x.test/", nil)) {
		t.Error("PATCH idempotent")
	}
	keyed := post.Clone(context.Background())
	keyed.Header.Set("Idempotency-Key", "abc")
	if !transport.IsIdempotent(keyed) {
		t.Error("POST with Idempotency-Key not idempotent")
	}
	marked := post.WithContext(transport.WithIdempotent(context.Background()))
	if !transport.IsIdempotent(marked) {
		t.Error("POST marked WithIdempotent not idempotent")
	}
}

func TestOutcomeAndReasonStrings(t *testing.T) {
	if transport.Failure.String() != "failure" || transport.ReasonThrottled.String() != "throttled" {
		t.Fatalf("got %q %q", transport.Failure, transport.ReasonThrottled)
	}
	if transport.Outcome(99).String() != "outcome(99)" || transport.Reason(99).String() != "reason(99)" {
		t.Fatalf("got %q %q", transport.Outcome(99), transport.Reason(99))
	}
}
