package promx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// Each way a call can end, as the stack reports it in OnCallEnd, counts
// under the outcome its caller saw.
func TestCallOutcomes(t *testing.T) {
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
		{"200", transport.CallEnd{Request: live, StatusCode: 200}, promx.OutcomeSuccess},
		{"404", transport.CallEnd{Request: live, StatusCode: 404}, promx.OutcomeSuccess},
		{"503", transport.CallEnd{Request: live, StatusCode: 503, Verdict: failure}, promx.OutcomeErrorStatus},
		{"429 the breaker ignores", transport.CallEnd{Request: live, StatusCode: 429, Verdict: transport.Verdict{Outcome: transport.Ignored}}, promx.OutcomeErrorStatus},
		{"breaker open", transport.CallEnd{Request: live, Err: breaker.ErrOpen}, promx.OutcomeRefused},
		{"retry refused by the breaker", transport.CallEnd{Request: live, Err: &transport.RetryError{Attempts: 1, LastStatus: 503, Stop: breaker.ErrOpen}}, promx.OutcomeRefused},
		{"limited", transport.CallEnd{Request: live, Err: fmt.Errorf("paused: %w", limiter.ErrLimited)}, promx.OutcomeRefused},
		{"queue full", transport.CallEnd{Request: live, Err: queue.ErrFull}, promx.OutcomeRefused},
		{"queue timeout", transport.CallEnd{Request: live, Err: queue.ErrTimeout}, promx.OutcomeRefused},
		{"deadline", transport.CallEnd{Request: live, Err: context.DeadlineExceeded}, promx.OutcomeDeadline},
		{"canceled by the caller", transport.CallEnd{Request: canceled, Err: &transport.RetryError{Attempts: 1, Last: limiter.ErrLimited, Stop: context.Canceled}}, promx.OutcomeCanceled},
		{"canceled, not by the caller", transport.CallEnd{Request: live, Err: context.Canceled}, promx.OutcomeTransportError},
		{"connection refused", transport.CallEnd{Request: live, Err: urlErr}, promx.OutcomeTransportError},
		{"budget exhausted", transport.CallEnd{Request: live, Err: &transport.RetryError{Attempts: 1, Last: urlErr, Stop: backoff.ErrBudgetExhausted}}, promx.OutcomeTransportError},
	} {
		t.Run(c.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			m, err := promx.New(promx.Config{Registerer: reg})
			if err != nil {
				t.Fatal(err)
			}
			m.Hooks().OnCallEnd(c.end)
			wantSeries(t, reg, `resilient_calls_total{host="a.test",outcome="`+c.want+`"} 1`, "resilient_calls_total")
		})
	}
}

// promx's outcome values are transport's CallResult names, in its order.
func TestCallOutcomeValuesAreTransports(t *testing.T) {
	for i, want := range []string{promx.OutcomeSuccess, promx.OutcomeErrorStatus, promx.OutcomeRefused, promx.OutcomeDeadline, promx.OutcomeCanceled, promx.OutcomeTransportError} {
		if got := transport.CallResult(i).String(); got != want {
			t.Errorf("CallResult(%d) = %s, promx says %s", i, got, want)
		}
	}
}
