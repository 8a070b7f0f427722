package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// Each way a call can end, as the stack reports it in OnCallEnd, is the
// outcome its caller saw.
func TestCallOutcome(t *testing.T) {
	live, _ := http.NewRequest(http.MethodGet, "http://a.test/", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	canceled := live.WithContext(ctx)
	failure := transport.Verdict{Outcome: transport.Failure}
	urlErr := &url.Error{Op: "Get", URL: "http://a.test/", Err: errors.New("connection refused")}
	for _, c := range []struct {
		name string
		end  transport.CallEnd
		want string
	}{
		{"200", transport.CallEnd{Request: live, StatusCode: 200}, "success"},
		{"404", transport.CallEnd{Request: live, StatusCode: 404}, "success"},
		{"503", transport.CallEnd{Request: live, StatusCode: 503, Verdict: failure}, "error_status"},
		{"429 the breaker ignores", transport.CallEnd{Request: live, StatusCode: 429, Verdict: transport.Verdict{Outcome: transport.Ignored}}, "error_status"},
		{"breaker open", transport.CallEnd{Request: live, Err: breaker.ErrOpen}, "refused"},
		{"retry refused by the breaker", transport.CallEnd{Request: live, Err: &transport.RetryError{Attempts: 1, LastStatus: 503, Stop: breaker.ErrOpen}}, "refused"},
		{"limited", transport.CallEnd{Request: live, Err: fmt.Errorf("paused: %w", limiter.ErrLimited)}, "refused"},
		{"queue full", transport.CallEnd{Request: live, Err: queue.ErrFull}, "refused"},
		{"queue timeout", transport.CallEnd{Request: live, Err: queue.ErrTimeout}, "refused"},
		{"deadline", transport.CallEnd{Request: live, Err: context.DeadlineExceeded}, "deadline"},
		{"canceled by the caller", transport.CallEnd{Request: canceled, Err: &transport.RetryError{Attempts: 1, Last: limiter.ErrLimited, Stop: context.Canceled}}, "canceled"},
		{"canceled, not by the caller", transport.CallEnd{Request: live, Err: context.Canceled}, "transport_error"},
		{"connection refused", transport.CallEnd{Request: live, Err: urlErr}, "transport_error"},
		{"budget exhausted", transport.CallEnd{Request: live, Err: &transport.RetryError{Attempts: 1, Last: urlErr, Stop: backoff.ErrBudgetExhausted}}, "transport_error"},
	} {
		if got := transport.CallOutcome(c.end).String(); got != c.want {
			t.Errorf("%s: CallOutcome = %s, want %s", c.name, got, c.want)
		}
	}
	if n := transport.NumCallResults; transport.CallResult(n-1).String() != "transport_error" || transport.CallResult(n).String() != "unknown" {
		t.Errorf("NumCallResults = %d does not end the CallResult values", n)
	}
}
