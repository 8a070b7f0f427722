package promx_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// Each outcome label is fed by OnCallEnd: one call per label. How a call's
// end is judged (a retry the breaker refused, a queue timeout, a
// cancellation that was not the caller's...) is transport.CallOutcome's,
// and tested there.
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
		{"503", transport.CallEnd{Request: live, StatusCode: 503, Verdict: failure}, promx.OutcomeErrorStatus},
		{"breaker open", transport.CallEnd{Request: live, Err: breaker.ErrOpen}, promx.OutcomeRefused},
		{"deadline", transport.CallEnd{Request: live, Err: context.DeadlineExceeded}, promx.OutcomeDeadline},
		{"canceled by the caller", transport.CallEnd{Request: canceled, Err: &transport.RetryError{Attempts: 1, Last: limiter.ErrLimited, Stop: context.Canceled}}, promx.OutcomeCanceled},
		{"connection refused", transport.CallEnd{Request: live, Err: urlErr}, promx.OutcomeTransportError},
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
