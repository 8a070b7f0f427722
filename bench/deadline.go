package bench

import (
	"context"
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go/failsafehttp"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// DeadlineComparison: the default stack, both deadlines on (a total one
// and one per attempt), beside what the standard library charges for the
// same two bounds written by hand (two context.WithTimeout and two
// request copies around the stub, no retry, no breaker), the hand-built
// peer stack and failsafehttp's retry + breaker. Hooks: the stack with the
// hooks a metrics observer (promx) sets, each a no-op.
func DeadlineComparison() Comparison {
	stack, err := transport.New(transport.Config{Base: okStub{}})
	if err != nil {
		panic(err)
	}
	hooked, err := transport.New(transport.Config{Base: okStub{}, Hooks: promxLikeHooks()})
	if err != nil {
		panic(err)
	}
	stub := roundTripCase("stub (floor)", okStub{})
	stub.Floor = true
	return Comparison{Name: "default stack with both deadlines", Cases: []Case{
		stub,
		ours(roundTripCase("resilient New, defaults (total + attempt deadlines)", stack)),
		ours(roundTripCase("resilient New, defaults + promx's hooks", hooked)),
		reference(roundTripCase("two context.WithTimeout by hand (stdlib)", twoTimeouts(okStub{}))),
		roundTripCase("go-retryablehttp over gobreaker + x/time/rate (by hand)", retryableChain(1e9)),
		roundTripCase("failsafehttp retry + breaker", failsafehttp.NewRoundTripper(okStub{},
			failsafehttp.NewRetryPolicyBuilder().Build(), failsafeBreaker[*http.Response]())),
	}}
}

// twoTimeouts is the standard library's way to bound a call and each
// attempt: a context.WithTimeout and a request copy each.
func twoTimeouts(next http.RoundTripper) http.RoundTripper {
	withTimeout := func(next http.RoundTripper, d time.Duration) http.RoundTripper {
		return transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			ctx, cancel := context.WithTimeout(req.Context(), d)
			defer cancel()
			return next.RoundTrip(req.WithContext(ctx))
		})
	}
	return withTimeout(withTimeout(next, 10*time.Second), 30*time.Second)
}

// promxLikeHooks are the callbacks promx.Metrics.Hooks sets, as no-ops:
// the cost of observation to the stack, not the observer's own.
func promxLikeHooks() transport.Hooks {
	return transport.Hooks{
		OnCallEnd:            func(transport.CallEnd) {},
		OnAttemptEnd:         func(transport.AttemptEnd) {},
		OnRetry:              func(transport.RetryEvent) {},
		OnBudgetExhausted:    func(transport.RetryEvent) {},
		OnBreakerStateChange: func(breaker.StateChange) {},
		OnRejected:           func(transport.Rejection) {},
		OnPushback:           func(transport.Pushback) {},
	}
}
