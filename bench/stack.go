package bench

import (
	"errors"
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/failsafe-go/failsafe-go/ratelimiter"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// StackComparison: retry + breaker + rate limiter on the success path,
// the same work through each library. The rate limit is far above the
// benchmark's rate, so it admits every call but is really consulted.
// go-retryablehttp has neither a breaker nor a rate limiter: its case is
// what a user would assemble, retryablehttp over a RoundTripper that asks
// gobreaker and x/time/rate.
func StackComparison() Comparison {
	const perSecond = 1e9
	ourRate, err := limiter.NewRate(limiter.RateConfig{Limit: rate.Limit(perSecond), Burst: 1 << 30})
	if err != nil {
		panic(err)
	}
	stack, err := transport.New(transport.Config{
		Base:    okStub{},
		Limit:   transport.LimitConfig{Rate: ourRate},
		Timeout: transport.TimeoutConfig{TotalOff: true, AttemptOff: true},
	})
	if err != nil {
		panic(err)
	}
	withTimeouts, err := transport.New(transport.Config{Base: okStub{}, Limit: transport.LimitConfig{Rate: ourRate}})
	if err != nil {
		panic(err)
	}
	fsRate := ratelimiter.NewBurstyBuilder[*http.Response](1<<30, time.Second).Build()

	stub := roundTripCase("stub (floor)", okStub{})
	stub.Floor = true
	res := roundTripCase("resilient New: retry + breaker + rate limit", stack)
	res.Ours = true
	return Comparison{Name: "retry + breaker + rate limiter RoundTripper", Cases: []Case{
		stub,
		res,
		ours(roundTripCase("resilient New, defaults + rate limit (with its two timeouts)", withTimeouts)),
		roundTripCase("go-retryablehttp over gobreaker + x/time/rate (by hand)", retryableChain(perSecond)),
		roundTripCase("failsafehttp retry + breaker + rate limiter", failsafehttp.NewRoundTripper(okStub{},
			failsafehttp.NewRetryPolicyBuilder().Build(), failsafeBreaker[*http.Response](), fsRate)),
	}}
}

// retryableChain is go-retryablehttp (defaults, logger off) over a
// RoundTripper guarded by a gobreaker (the settings of the other cases)
// and an x/time/rate limiter that refuses rather than waits.
func retryableChain(perSecond float64) http.RoundTripper {
	gb := gobreaker.NewTwoStepCircuitBreaker[any](gobreakerSettings())
	lim := rate.NewLimiter(rate.Limit(perSecond), 1<<30)
	guarded := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		done, err := gb.Allow()
		if err != nil {
			return nil, err
		}
		if !lim.Allow() {
			done(nil) // our own refusal says nothing about the backend
			return nil, errors.New("rate limited")
		}
		resp, err := okStub{}.RoundTrip(req)
		if err == nil && resp.StatusCode >= 500 {
			done(errors.New(resp.Status))
		} else {
			done(err)
		}
		return resp, err
	})
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = &http.Client{Transport: guarded}
	return &retryablehttp.RoundTripper{Client: rc}
}
