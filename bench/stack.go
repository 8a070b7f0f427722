package bench

import (
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/failsafe-go/failsafe-go/ratelimiter"
	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// StackComparison: retry + breaker + rate limiter on the success path,
// the same work through each library. The rate limit is far above the
// benchmark's rate, so it admits every call but is really consulted.
func StackComparison() Comparison {
	const perSecond = 1e9
	ourRate, err := limiter.NewRate(limiter.RateConfig{Limit: rate.Limit(perSecond), Burst: 1 << 30})
	if err != nil {
		panic(err)
	}
	ours, err := transport.New(transport.Config{
		Base:                  okStub{},
		Limit:                 transport.LimitConfig{Rate: ourRate},
		DisableTotalTimeout:   true,
		DisableAttemptTimeout: true,
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
	res := roundTripCase("resilient New: retry + breaker + rate limit", ours)
	res.Ours = true
	return Comparison{Name: "retry + breaker + rate limiter RoundTripper", Cases: []Case{
		stub,
		res,
		roundTripCase("resilient New, defaults + rate limit (with its two timeouts)", withTimeouts),
		roundTripCase("failsafehttp retry + breaker + rate limiter", failsafehttp.NewRoundTripper(okStub{},
			failsafehttp.NewRetryPolicyBuilder().Build(), failsafeBreaker[*http.Response](), fsRate)),
	}}
}
