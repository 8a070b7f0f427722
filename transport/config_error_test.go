package transport_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// TestConfigErrorPaths builds an invalid value at every level of Config,
// each core's config reachable from it included, and checks that New's
// refusal matches transport.ErrInvalidConfig, the core's own sentinel when
// a core refused it, and names the field's full path from Config.
func TestConfigErrorPaths(t *testing.T) {
	stub := transport.RoundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("unused") })
	tests := []struct {
		name string
		cfg  transport.Config
		path string // ConfigError.Field
		core error  // the core's sentinel, or nil
	}{
		{"TotalTimeout", transport.Config{Timeout: transport.TimeoutConfig{Total: -1}}, "Config.Timeout.Total", nil},
		{"AttemptTimeout", transport.Config{Timeout: transport.TimeoutConfig{Attempt: -1}}, "Config.Timeout.Attempt", nil},
		{"AttemptTimeout over TotalTimeout", transport.Config{Timeout: transport.TimeoutConfig{Attempt: 2 * time.Second, Total: time.Second}}, "Config.Timeout.Attempt", nil},
		{"Pool", transport.Config{Pool: pool.Config{MaxIdleConns: -1}}, "Config.Pool.MaxIdleConns", pool.ErrInvalidConfig},
		{"Pool duration", transport.Config{Pool: pool.Config{DialTimeout: -time.Second}}, "Config.Pool.DialTimeout", pool.ErrInvalidConfig},
		{"Retry.MaxAttempts", transport.Config{Retry: transport.RetryConfig{MaxAttempts: -1}}, "Config.Retry.MaxAttempts", nil},
		{"Retry.MaxRetryAfter", transport.Config{Retry: transport.RetryConfig{MaxRetryAfter: -time.Second}}, "Config.Retry.MaxRetryAfter", nil},
		{"Retry.Backoff worst case", transport.Config{Retry: transport.RetryConfig{MaxAttempts: 100}}, "Config.Retry.Backoff", nil},
		{"Hedge.Delay", transport.Config{Hedge: &transport.HedgeConfig{Delay: -time.Second}}, "Config.Hedge.Delay", nil},
		{"Hedge.Percentile", transport.Config{Hedge: &transport.HedgeConfig{Percentile: 2}}, "Config.Hedge.Percentile", nil},
		{"Hedge.MinDelay", transport.Config{Hedge: &transport.HedgeConfig{MinDelay: -time.Second}}, "Config.Hedge.MinDelay", nil},
		{"Hedge.MaxHedges", transport.Config{Hedge: &transport.HedgeConfig{MaxHedges: -1}}, "Config.Hedge.MaxHedges", nil},
		{"Coalesce.MaxBody", transport.Config{Coalesce: &transport.CoalesceConfig{MaxBody: -1}}, "Config.Coalesce.MaxBody", nil},
		{"Balance.Resolver", transport.Config{Balance: &transport.BalanceConfig{}}, "Config.Balance.Resolver", nil},
		{"Balance.Decay", transport.Config{Balance: &transport.BalanceConfig{Resolver: &discovery.Broadcast{}, Decay: -time.Second}}, "Config.Balance.Decay", balancer.ErrInvalidConfig},
		{"Balance.Outlier", transport.Config{Balance: &transport.BalanceConfig{Resolver: &discovery.Broadcast{}, Outlier: balancer.OutlierConfig{Interval: -time.Second}}}, "Config.Balance.Outlier.Interval", balancer.ErrInvalidConfig},
		{"Breaker.MaxKeys", transport.Config{Breaker: transport.BreakerConfig{MaxKeys: -1}}, "Config.Breaker.MaxKeys", breaker.ErrInvalidConfig},
		{"Breaker.IdleAfter", transport.Config{Breaker: transport.BreakerConfig{IdleAfter: -time.Second}}, "Config.Breaker.IdleAfter", breaker.ErrInvalidConfig},
		{"Breaker.FailureRatio", transport.Config{Breaker: transport.BreakerConfig{FailureRatio: 2}}, "Config.Breaker.FailureRatio", breaker.ErrInvalidConfig},
		{"Breaker.BreakDuration", transport.Config{Breaker: transport.BreakerConfig{BreakDuration: -time.Second}}, "Config.Breaker.BreakDuration", breaker.ErrInvalidConfig},
		{"Breaker.Window.Period", transport.Config{Breaker: transport.BreakerConfig{Window: breaker.Window{Period: -time.Second}}}, "Config.Breaker.Window.Period", breaker.ErrInvalidConfig},
		{"Breaker window under twice AttemptTimeout", transport.Config{Breaker: transport.BreakerConfig{Window: breaker.Window{Period: 6 * time.Second}}}, "Config.Breaker.Window.Period", nil},
		{"Limit.MaxPause", transport.Config{Limit: transport.LimitConfig{MaxPause: -time.Second}}, "Config.Limit.MaxPause", nil},
		{"Limit.MaxHosts", transport.Config{Limit: transport.LimitConfig{MaxHosts: -1}}, "Config.Limit.MaxHosts", nil},
		{"Limit.AdaptiveRate without pushback", transport.Config{Limit: transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{}, PushbackOff: true}}, "Config.Limit.AdaptiveRate", nil},
		{"Limit.AdaptiveRate.Beta", transport.Config{Limit: transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{Beta: 2}}}, "Config.Limit.AdaptiveRate.Beta", limiter.ErrInvalidConfig},
		{"Limit.AdaptiveRate.Window", transport.Config{Limit: transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{Window: -time.Second}}}, "Config.Limit.AdaptiveRate.Window", limiter.ErrInvalidConfig},
		{"Limit.Concurrency.Limit", transport.Config{Limit: transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{Limit: -1}}}, "Config.Limit.Concurrency.Limit", limiter.ErrInvalidConfig},
		{"Limit.Concurrency.Interval", transport.Config{Limit: transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{Interval: -time.Second}}}, "Config.Limit.Concurrency.Interval", limiter.ErrInvalidConfig},
		{"Limit.Concurrency.AIMDTimeout", transport.Config{Limit: transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{AIMDTimeout: -time.Second}}}, "Config.Limit.Concurrency.AIMDTimeout", limiter.ErrInvalidConfig},
		{"Limit.Queue.MaxWait", transport.Config{Limit: transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{}, Queue: &queue.Config{MaxWait: -time.Second}}}, "Config.Limit.Queue.MaxWait", queue.ErrInvalidConfig},
		{"Limit.Throttle.Window", transport.Config{Limit: transport.LimitConfig{Throttle: &limiter.ThrottleConfig{Window: -time.Second}}}, "Config.Limit.Throttle.Window", limiter.ErrInvalidConfig},
		{"Attempt", transport.Config{Base: stub, Attempt: []transport.Middleware{nil}}, "Config.Attempt[0]", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := transport.New(tc.cfg)
			if tr != nil || err == nil {
				t.Fatalf("New = %v, %v; want an error", tr, err)
			}
			checkConfigError(t, err, tc.path, tc.core)
		})
	}
}

// TestStageConfigErrorPaths checks that each stage constructor's refusal
// names the field from the constructor's own config.
func TestStageConfigErrorPaths(t *testing.T) {
	tests := []struct {
		name string
		new  func() (transport.Middleware, error)
		path string
		core error
	}{
		{"Retry", func() (transport.Middleware, error) {
			return transport.Retry(transport.RetryConfig{MaxAttempts: -1})
		}, "RetryConfig.MaxAttempts", nil},
		{"Hedge", func() (transport.Middleware, error) {
			return transport.Hedge(transport.HedgeConfig{MinDelay: -1})
		}, "HedgeConfig.MinDelay", nil},
		{"Breaker", func() (transport.Middleware, error) {
			return transport.Breaker(transport.BreakerConfig{Window: breaker.Window{Buckets: -1}})
		}, "BreakerConfig.Window.Buckets", breaker.ErrInvalidConfig},
		{"Limit", func() (transport.Middleware, error) {
			return transport.Limit(transport.LimitConfig{Concurrency: &transport.ConcurrencyConfig{MaxLimit: -1}})
		}, "LimitConfig.Concurrency.MaxLimit", limiter.ErrInvalidConfig},
		{"Balance", func() (transport.Middleware, error) {
			return transport.Balance(transport.BalanceConfig{Resolver: &discovery.Broadcast{}, PanicThreshold: 2})
		}, "BalanceConfig.PanicThreshold", balancer.ErrInvalidConfig},
		{"Coalesce", func() (transport.Middleware, error) {
			return transport.Coalesce(transport.CoalesceConfig{MaxBody: -1})
		}, "CoalesceConfig.MaxBody", nil},
		{"TotalTimeout", func() (transport.Middleware, error) { return transport.TotalTimeout(-1) }, "TotalTimeout", nil},
		{"AttemptTimeout", func() (transport.Middleware, error) { return transport.AttemptTimeout(0) }, "AttemptTimeout", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mw, err := tc.new()
			if mw != nil || err == nil {
				t.Fatalf("got a middleware and %v; want an error", err)
			}
			checkConfigError(t, err, tc.path, tc.core)
		})
	}
}

func checkConfigError(t *testing.T, err error, path string, core error) {
	t.Helper()
	if !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("%v: does not match transport.ErrInvalidConfig", err)
	}
	if core != nil && !errors.Is(err, core) {
		t.Errorf("%v: does not match %v", err, core)
	}
	var ce *transport.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("%v (%T): not a *transport.ConfigError", err, err)
	}
	if ce.Field != path {
		t.Errorf("Field = %q, want %q", ce.Field, path)
	}
	if want := "transport: invalid config: " + path + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not begin with %q", err, want)
	}
}
