package scenario

import (
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/failsafe-go/failsafe-go/hedgepolicy"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// Client is one contender: a library (and its configuration) that turns
// the shared base RoundTripper into the RoundTripper of an http.Client.
type Client struct {
	// Name names it in tables and plots.
	Name string
	// Config says, in a sentence, how it is configured.
	Config string
	// New builds the client's RoundTripper over base (the counted pool).
	New func(base http.RoundTripper) (http.RoundTripper, error)
	// NewReplicas builds it for a scenario with Replicas: the calls
	// address ReplicaHost, and replicas holds the replicas' addresses
	// (host:port), which the client must spread its attempts over. A
	// RoundTripper that is an io.Closer is closed at the end of the run.
	NewReplicas func(base http.RoundTripper, replicas []string) (http.RoundTripper, error)
	// Strict makes a run fail when this client leaves a response body
	// unclosed. It is set for resilient's clients, which must never
	// leak, and for the plain client, where a leak would be the harness's
	// own; a peer's leaks are measured and reported instead
	// (ClientResult.Unclosed), since they are its behaviour, not a broken
	// run.
	Strict bool
}

// Plain is an http.Client with nothing but the pool: one attempt per call.
func Plain() Client {
	return Client{
		Name:   "plain http.Client",
		Config: "`http.Client` over the pool, nothing else.",
		Strict: true,
		New:    func(base http.RoundTripper) (http.RoundTripper, error) { return base, nil },
	}
}

// RetryableHTTP is hashicorp/go-retryablehttp with its defaults (4
// retries, exponential backoff from 1s to 30s, Retry-After honoured on
// 429/503), its logger silenced.
func RetryableHTTP() Client {
	return Client{
		Name:   "go-retryablehttp",
		Config: "`retryablehttp.NewClient()` defaults (RetryMax 4, backoff 1s–30s, honours Retry-After), logger off, as the RoundTripper that `StandardClient()` uses.",
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			c := retryablehttp.NewClient()
			c.Logger = nil
			c.HTTPClient = &http.Client{Transport: base}
			return &retryablehttp.RoundTripper{Client: c}, nil
		},
	}
}

// failsafeBreaker is a circuit breaker for HTTP as failsafe-go's docs
// show it (HandleIf on the responses it should count, the Retry-After
// DelayFunc), counting what its retry policy retries, with the same
// thresholds as resilient's defaults: 50 % failures once 20 calls were
// seen in 10 s, open for 5 s.
func failsafeBreaker() circuitbreaker.CircuitBreaker[*http.Response] {
	return circuitbreaker.NewBuilder[*http.Response]().
		HandleIf(func(resp *http.Response, err error) bool {
			return err != nil || resp.StatusCode == http.StatusTooManyRequests ||
				(resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented)
		}).
		WithFailureRateThreshold(0.5, 20, 10*time.Second).
		WithDelay(5 * time.Second).
		WithDelayFunc(failsafehttp.DelayFunc).
		Build()
}

// failsafeRetry is the retry policy of failsafe-go's HTTP docs:
// failsafehttp's builder (retryable statuses and errors, Retry-After),
// backoff from 1s to 30s, 3 retries.
func failsafeRetry() retrypolicy.Builder[*http.Response] {
	return failsafehttp.NewRetryPolicyBuilder().WithBackoff(time.Second, 30*time.Second).WithMaxRetries(3)
}

// Failsafe is failsafe-go's failsafehttp RoundTripper with a retry policy
// and a circuit breaker, as its HTTP docs recommend.
func Failsafe() Client {
	return Client{
		Name: "failsafe-go",
		Config: "`failsafehttp.NewRoundTripper(pool, retryPolicy, circuitBreaker)`, the composition its HTTP docs show: " +
			"`NewRetryPolicyBuilder().WithBackoff(1s, 30s).WithMaxRetries(3)`; a breaker on 5xx/429/errors, " +
			"50 % failures of ≥ 20 in 10 s, delay 5 s or Retry-After (`failsafehttp.DelayFunc`).",
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			return failsafehttp.NewRoundTripper(base, failsafeRetry().Build(), failsafeBreaker()), nil
		},
	}
}

// FailsafeHedge is Failsafe with a hedge policy inside the breaker: a
// second attempt after 10 ms (resilient's floor), at most one.
func FailsafeHedge() Client {
	return Client{
		Name:   "failsafe-go + hedge",
		Config: "as failsafe-go, plus `hedgepolicy.NewBuilderWithDelay(10ms)` (one hedge) inside the breaker.",
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			hedge := hedgepolicy.NewBuilderWithDelay[*http.Response](10 * time.Millisecond).Build()
			return failsafehttp.NewRoundTripper(base, failsafeRetry().Build(), failsafeBreaker(), hedge), nil
		},
	}
}

// Resilient is transport.New with its defaults over the shared pool.
func Resilient() Client {
	return Client{
		Name:   "resilient",
		Config: "`transport.New(transport.Config{Base: pool})`: every other field zero, i.e. the defaults.",
		Strict: true,
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			return transport.New(transport.Config{Base: base})
		},
	}
}

// ResilientHedge is Resilient with Config.Hedge's defaults: one hedge
// after the 95th percentile of recent latency, at least 10 ms.
func ResilientHedge() Client {
	return Client{
		Name:   "resilient + Hedge",
		Config: "defaults plus `Hedge: &transport.HedgeConfig{}` (one hedge after the recent p95, at least 10 ms, under the retry budget).",
		Strict: true,
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			return transport.New(transport.Config{Base: base, Hedge: &transport.HedgeConfig{}})
		},
	}
}

// ResilientAdaptive is Resilient with the overload knob docs/overload.md
// recommends: an adaptive (Gradient) concurrency limit per host, with a
// shallow queue whose CoDel interval is about the backend's latency.
func ResilientAdaptive(interval time.Duration) Client {
	return Client{
		Name: "resilient + adaptive limit",
		Config: "defaults plus docs/overload.md's knob: `Limit.Concurrency: {Algorithm: limiter.Gradient}`, " +
			"`Limit.Queue: {Interval: " + interval.String() + "}`.",
		Strict: true,
		New: func(base http.RoundTripper) (http.RoundTripper, error) {
			return transport.New(transport.Config{Base: base, Limit: transport.LimitConfig{
				Concurrency: &transport.ConcurrencyConfig{Algorithm: limiter.Gradient},
				Queue:       &queue.Config{Interval: interval},
			}})
		},
	}
}
