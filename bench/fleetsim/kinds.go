package fleetsim

import (
	"net/http"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/bench/scenario"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// Kind is one client library as a user would set it up: every client of a
// fleet gets a stack of its own from New.
type Kind struct {
	// Name names it in tables and plots.
	Name string
	// Config says, in a sentence, how it is configured.
	Config string
	// Ours marks resilient's own kinds (drawn bold in plots).
	Ours bool
	// New builds one client's RoundTripper over base (the shared
	// backend). rand is a source of the client's own, uniform in [0, 1)
	// and safe for concurrent use, for a library that can take one: it
	// keeps the run repeatable.
	New func(base http.RoundTripper, rand func() float64) (http.RoundTripper, error)
}

// Resilient is transport.New with its defaults; the one change is their
// random sources, seeded per client so that runs repeat: the backoff's
// jitter (backoff.DefaultConfig() otherwise), the breakers' draws (a
// breaker.Group with breaker's defaults otherwise, as transport.New builds
// for the zero BreakerConfig) and the limit stage's (LimitConfig.Rand: the
// pushback gate's slow start).
func Resilient() Kind { return resilient(true) }

// resilient is Resilient; with seeded false its breakers and its limit
// stage draw from math/rand/v2, as transport.New's own do (for the test
// that the group built here is the default's).
func resilient(seeded bool) Kind {
	return Kind{
		Name: "resilient",
		Config: "`transport.New(transport.Config{Base: backend})`: the defaults, with their random draws made from " +
			"seeded sources so that runs repeat: the default backoff's jitter (`backoff.Config{Rand: …}`) and the " +
			"default breakers' (`BreakerConfig.Group`: a `breaker.NewGroup` of breaker's defaults but `breaker.Config.Rand`), and the " +
			"pushback gate's slow start (`LimitConfig.Rand`).",
		Ours: true,
		New: func(base http.RoundTripper, rand func() float64) (http.RoundTripper, error) {
			bo, err := backoff.New(backoff.Config{Rand: rand})
			if err != nil {
				return nil, err
			}
			var br, lr func() float64
			if seeded {
				br, lr = derive(rand), derive(rand)
			}
			// transport.New builds this group for the zero BreakerConfig,
			// but for Rand: BreakerConfig does not carry it.
			g, err := breaker.NewGroup(breaker.GroupConfig{Breaker: breaker.Config{Rand: br}})
			if err != nil {
				return nil, err
			}
			return transport.New(transport.Config{
				Base:    base,
				Retry:   transport.RetryConfig{Backoff: bo},
				Breaker: transport.BreakerConfig{Group: g},
				Limit:   transport.LimitConfig{Rand: lr},
			})
		},
	}
}

// Plain is an http.Client with nothing but the backend: one attempt per
// call.
func Plain() Kind {
	return fromScenario(scenario.Plain(), "`http.Client{Transport: backend}`: one attempt per call.")
}

// RetryableHTTP is go-retryablehttp with its defaults (4 retries,
// backoff 1s to 30s, Retry-After honoured), logger off, as bench/scenario
// builds it.
func RetryableHTTP() Kind {
	return fromScenario(scenario.RetryableHTTP(), "`retryablehttp.NewClient()` defaults (RetryMax 4, backoff 1s–30s, honours Retry-After), "+
		"logger off, its `HTTPClient.Transport` the backend, as the RoundTripper that `StandardClient()` uses.")
}

// Failsafe is failsafe-go's failsafehttp RoundTripper with a retry policy
// and a circuit breaker, as bench/scenario builds it.
func Failsafe() Kind {
	return fromScenario(scenario.Failsafe(), "`failsafehttp.NewRoundTripper(backend, retryPolicy, circuitBreaker)` as in docs/performance.md: "+
		"retries with backoff 1s–30s, at most 3; a breaker at 50 % failures of ≥ 20 in 10 s, open 5 s or Retry-After.")
}

func fromScenario(c scenario.Client, config string) Kind {
	return Kind{
		Name:   c.Name,
		Config: config,
		New: func(base http.RoundTripper, _ func() float64) (http.RoundTripper, error) {
			return c.New(base)
		},
	}
}

// Kinds lists the four kinds the report compares, resilient first.
func Kinds() []Kind { return []Kind{Resilient(), Plain(), RetryableHTTP(), Failsafe()} }
