package twirpx_test

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
	"github.com/resilient-go/resilient/twirpx"
)

// twirpResponse records what a Twirp server writes for err.
func twirpResponse(err twirp.Error) *http.Response {
	rec := httptest.NewRecorder()
	_ = twirp.WriteError(rec, err)
	return rec.Result()
}

func textResponse(status int, body string) *http.Response {
	rec := httptest.NewRecorder()
	http.Error(rec, body, status)
	return rec.Result()
}

func TestDefaultClassifier(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/twirp/x.S/M", nil)
	S, F, I := transport.Success, transport.Failure, transport.Ignored
	for _, tc := range []struct {
		name       string
		resp       *http.Response
		err        error
		outcome    transport.Outcome
		retryable  bool
		retryAfter time.Duration
	}{
		{"ok", &http.Response{StatusCode: 200, Body: http.NoBody}, nil, S, false, 0},
		{"unavailable", twirpResponse(twirp.NewError(twirp.Unavailable, "x")), nil, F, true, 0},
		{"unavailable retry_after", twirpResponse(twirp.NewError(twirp.Unavailable, "x").WithMeta("retry_after", "2")), nil, F, true, 2 * time.Second},
		{"resource_exhausted", twirpResponse(twirp.NewError(twirp.ResourceExhausted, "x").WithMeta("retry_after", "250ms")), nil, I, true, 250 * time.Millisecond},
		// Too long for a Duration: the longest wait, not none (the retry
		// stage caps it at MaxRetryAfter).
		{"retry_after too large", twirpResponse(twirp.NewError(twirp.ResourceExhausted, "x").WithMeta("retry_after", "99999999999")), nil, I, true, math.MaxInt64},
		{"deadline_exceeded", twirpResponse(twirp.NewError(twirp.DeadlineExceeded, "x")), nil, F, true, 0},
		{"internal", twirpResponse(twirp.InternalError("x")), nil, F, false, 0},
		{"unknown", twirpResponse(twirp.NewError(twirp.Unknown, "x")), nil, F, false, 0},
		{"dataloss", twirpResponse(twirp.NewError(twirp.DataLoss, "x")), nil, F, false, 0},
		{"canceled", twirpResponse(twirp.NewError(twirp.Canceled, "x")), nil, I, false, 0},
		{"invalid_argument", twirpResponse(twirp.InvalidArgumentError("a", "b")), nil, S, false, 0},
		{"not_found", twirpResponse(twirp.NotFoundError("x")), nil, S, false, 0},
		{"already_exists", twirpResponse(twirp.NewError(twirp.AlreadyExists, "x")), nil, S, false, 0},
		{"permission_denied", twirpResponse(twirp.NewError(twirp.PermissionDenied, "x")), nil, S, false, 0},
		{"unauthenticated", twirpResponse(twirp.NewError(twirp.Unauthenticated, "x")), nil, S, false, 0},
		{"failed_precondition", twirpResponse(twirp.NewError(twirp.FailedPrecondition, "x")), nil, S, false, 0},
		{"unimplemented", twirpResponse(twirp.NewError(twirp.Unimplemented, "x")), nil, S, false, 0},
		{"bad_route", twirpResponse(twirp.NewError(twirp.BadRoute, "x")), nil, S, false, 0},
		// Not Twirp errors: judged as HTTP.
		{"intermediary 502", textResponse(502, "bad gateway"), nil, F, true, 0},
		{"intermediary 504", textResponse(504, "timeout"), nil, F, true, 0},
		{"intermediary 500", textResponse(500, "oops"), nil, F, true, 0},
		{"intermediary 404", textResponse(404, "no"), nil, S, false, 0},
		{"json with an unknown code", jsonResponse(500, `{"code":"nope","msg":"x"}`), nil, F, true, 0},
		{"json with unknown fields", jsonResponse(503, `{"code":"internal","msg":"x","extra":1}`), nil, F, true, 0},
		{"reset", nil, syscall.ECONNRESET, F, true, 0},
		{"breaker open", nil, transport.MarkNotSent(breaker.ErrOpen), I, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := twirpx.DefaultClassifier().Classify(req, tc.resp, tc.err)
			if v.Outcome != tc.outcome || v.Retryable != tc.retryable || v.RetryAfter != tc.retryAfter {
				t.Errorf("verdict %+v, want outcome %v, retryable %v, retry after %v", v, tc.outcome, tc.retryable, tc.retryAfter)
			}
		})
	}
}

func jsonResponse(status int, body string) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// The classifier reads a Twirp error body once, and the generated client
// still reads every byte of it afterwards, however many stages classified
// the response.
func TestClassifierLeavesTheBodyReadable(t *testing.T) {
	want := twirp.NewError(twirp.Unavailable, "down").WithMeta("retry_after", "1s")
	resp := twirpResponse(want)
	rec := httptest.NewRecorder()
	_ = twirp.WriteError(rec, want)
	body := rec.Body.String()

	for range 3 { // Limit, Breaker, Retry each classify it
		v := twirpx.DefaultClassifier().Classify(nil, resp, nil)
		if v.RetryAfter != time.Second {
			t.Fatalf("verdict %+v, want a retry after 1s", v)
		}
	}
	if code, ok := twirpx.ResponseErrorCode(resp); !ok || code != twirp.Unavailable {
		t.Errorf("ResponseErrorCode = %q, %v; want unavailable", code, ok)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || string(got) != body {
		t.Errorf("body after classification = %q, %v; want %q", got, err, body)
	}
	if err := resp.Body.Close(); err != nil {
		t.Error(err)
	}
}

// A body longer than any Twirp error is left for the caller whole, and a
// body whose read fails gives the caller the same bytes and error.
func TestClassifierOddBodies(t *testing.T) {
	t.Run("long", func(t *testing.T) {
		long := `{"code":"unavailable","msg":"` + strings.Repeat("x", 100<<10) + `"}`
		resp := jsonResponse(503, long)
		resp.ContentLength = -1 // unknown: the classifier must find out
		// Twice: the second call reads nothing.
		for range 2 {
			if code, ok := twirpx.ResponseErrorCode(resp); ok {
				t.Errorf("ResponseErrorCode = %q for a 100 KiB body, want none", code)
			}
		}
		if got, err := io.ReadAll(resp.Body); err != nil || string(got) != long {
			t.Errorf("body = %d bytes, %v; want the %d bytes whole", len(got), err, len(long))
		}
	})
	t.Run("broken", func(t *testing.T) {
		broken := errors.New("connection lost")
		resp := jsonResponse(503, "")
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"code":"unav`), errReader{broken}))
		if code, ok := twirpx.ResponseErrorCode(resp); ok {
			t.Errorf("ResponseErrorCode = %q for a broken body, want none", code)
		}
		got, err := io.ReadAll(resp.Body)
		if string(got) != `{"code":"unav` || !errors.Is(err, broken) {
			t.Errorf("body = %q, %v; want the bytes, then the read error", got, err)
		}
	})
	t.Run("200", func(t *testing.T) {
		resp := jsonResponse(200, `{"code":"internal","msg":"x"}`)
		if _, ok := twirpx.ResponseErrorCode(resp); ok {
			t.Error("ResponseErrorCode reads a 200's body")
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
