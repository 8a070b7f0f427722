package bench

import (
	"net/http"

	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/transport"
)

// RetryComparison: a retrying RoundTripper on the success path, each
// library with its defaults (ours: budget on, jittered backoff).
func RetryComparison() Comparison {
	ours, err := transport.Retry(transport.RetryConfig{})
	if err != nil {
		panic(err)
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = &http.Client{Transport: okStub{}}

	stub := roundTripCase("stub (floor)", okStub{})
	stub.Floor = true
	res := roundTripCase("resilient Retry", transport.Chain(okStub{}, ours))
	res.Ours = true
	return Comparison{Name: "retrying RoundTripper, success path", Cases: []Case{
		stub,
		res,
		roundTripCase("go-retryablehttp", &retryablehttp.RoundTripper{Client: rc}),
		roundTripCase("failsafehttp retry", failsafehttp.NewRoundTripper(okStub{}, failsafehttp.NewRetryPolicyBuilder().Build())),
	}}
}
