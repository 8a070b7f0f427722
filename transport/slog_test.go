package transport_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/transport"
)

// ctxHandler records, for each record, the trace id found in the context
// it was given and the value of its "error" attribute.
type ctxHandler struct {
	mu      sync.Mutex
	records []ctxRecord
}

type ctxRecord struct {
	msg   string
	trace any
	err   any
}

type traceKey struct{}

func (h *ctxHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *ctxHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *ctxHandler) WithGroup(string) slog.Handler            { return h }
func (h *ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	rec := ctxRecord{msg: r.Message, trace: ctx.Value(traceKey{})}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			rec.err = a.Value.Any()
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, rec)
	return nil
}

var errBackend = errors.New("backend unreachable")

// SlogHooks logs a request's events with the request's context, so that
// a trace-aware handler correlates them, and errors as error values.
func TestSlogHooksRequestContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &ctxHandler{}
		base := transport.RoundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, errBackend })
		rt, err := transport.New(transport.Config{
			Base:    base,
			Retry:   transport.RetryConfig{MaxAttempts: 2, Backoff: backoff.Constant(time.Millisecond), Budget: backoff.Unlimited()},
			Breaker: transport.BreakerConfig{Off: true},
			Hooks:   transport.SlogHooks(slog.New(h)),
		})
		mustNoErr(t, err)
		ctx := context.WithValue(t.Context(), traceKey{}, "trace-1")
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test/", nil)
		mustNoErr(t, err)
		if _, err := rt.RoundTrip(req); !errors.Is(err, errBackend) {
			t.Fatalf("RoundTrip = %v, want errBackend", err)
		}
		seen := map[string]bool{}
		for _, r := range h.records {
			seen[r.msg] = true
			if r.trace != "trace-1" {
				t.Errorf("%q logged with a context without the request's trace id", r.msg)
			}
			if r.msg == "resilient: call" || r.msg == "resilient: attempt end" {
				if e, ok := r.err.(error); !ok || !errors.Is(e, errBackend) {
					t.Errorf("%q: error attribute %#v, want the error value", r.msg, r.err)
				}
			}
		}
		for _, msg := range []string{"resilient: call", "resilient: attempt", "resilient: attempt end", "resilient: retry"} {
			if !seen[msg] {
				t.Errorf("no %q record among %+v", msg, h.records)
			}
		}
	})
}
