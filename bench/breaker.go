package bench

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/sony/gobreaker/v2"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/transport"
)

// Every breaker is configured alike, as far as each library allows: trip
// at a 50 % failure ratio once 20 calls were seen in a 10 s window (in
// buckets where the library has them), break for 5 s.

func ourBreaker() *breaker.Breaker {
	b, err := breaker.New(breaker.Config{Name: "backend.test"})
	if err != nil {
		panic(err)
	}
	return b
}

func gobreakerSettings() gobreaker.Settings {
	return gobreaker.Settings{
		Name:         "backend.test",
		Interval:     10 * time.Second,
		BucketPeriod: time.Second,
		Timeout:      5 * time.Second,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= 20 && float64(c.TotalFailures)/float64(c.Requests) >= 0.5
		},
	}
}

func failsafeBreaker[R any]() circuitbreaker.CircuitBreaker[R] {
	return circuitbreaker.NewBuilder[R]().
		WithFailureRateThreshold(0.5, 20, 10*time.Second).
		WithDelay(5 * time.Second).
		Build()
}

// BreakerCoreComparison: admit a call and report its success, closed state.
func BreakerCoreComparison() Comparison {
	ours := ourBreaker()
	gb := gobreaker.NewTwoStepCircuitBreaker[any](gobreakerSettings())
	fs := failsafeBreaker[any]()
	fsExec := failsafe.With[any](failsafeBreaker[any]())
	ok := func() error { return nil }

	res := opCase("resilient breaker", func() error {
		p, err := ours.Allow()
		if err != nil {
			return err
		}
		p.Success()
		return nil
	})
	res.Ours = true
	return Comparison{Name: "breaker admit + report success (closed)", Cases: []Case{
		res,
		opCase("gobreaker TwoStep", func() error {
			done, err := gb.Allow()
			if err != nil {
				return err
			}
			done(nil)
			return nil
		}),
		opCase("failsafe-go permit", func() error {
			if !fs.TryAcquirePermit() {
				return errors.New("rejected")
			}
			fs.RecordSuccess()
			return nil
		}),
		opCase("failsafe-go executor", func() error { return fsExec.Run(ok) }),
	}}
}

// BreakerRoundTripComparison: a RoundTripper guarded by a breaker.
func BreakerRoundTripComparison() Comparison {
	mw, err := transport.Breaker(transport.BreakerConfig{})
	if err != nil {
		panic(err)
	}
	gb := gobreaker.NewTwoStepCircuitBreaker[any](gobreakerSettings())
	byHand := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		done, err := gb.Allow()
		if err != nil {
			return nil, err
		}
		resp, err := okStub{}.RoundTrip(req)
		if err == nil && resp.StatusCode >= 500 {
			done(errors.New(resp.Status))
		} else {
			done(err)
		}
		return resp, err
	})
	stub := roundTripCase("stub (floor)", okStub{})
	stub.Floor = true
	res := roundTripCase("resilient transport.Breaker (per host)", transport.Chain(okStub{}, mw))
	res.Ours = true
	return Comparison{Name: "RoundTripper with a breaker", Cases: []Case{
		stub,
		res,
		roundTripCase("gobreaker wrapped by hand (one breaker)", byHand),
		roundTripCase("failsafehttp breaker", failsafehttp.NewRoundTripper(okStub{}, failsafeBreaker[*http.Response]())),
	}}
}

// RetryBreakerComparison: retry + breaker, the core of every stack.
func RetryBreakerComparison() Comparison {
	retry, err := transport.Retry(transport.RetryConfig{})
	if err != nil {
		panic(err)
	}
	brk, err := transport.Breaker(transport.BreakerConfig{})
	if err != nil {
		panic(err)
	}
	stub := roundTripCase("stub (floor)", okStub{})
	stub.Floor = true
	res := roundTripCase("resilient Retry + Breaker", transport.Chain(okStub{}, retry, brk))
	res.Ours = true
	return Comparison{Name: "retry + breaker RoundTripper", Cases: []Case{
		stub,
		res,
		roundTripCase("failsafehttp retry + breaker", failsafehttp.NewRoundTripper(okStub{},
			failsafehttp.NewRetryPolicyBuilder().Build(), failsafeBreaker[*http.Response]())),
	}}
}

// opCase builds a Case that repeats op.
func opCase(name string, op func() error) Case {
	return Case{
		Name:  name,
		Check: op,
		Run: func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		},
		Parallel: func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		},
	}
}
