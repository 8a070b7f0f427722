package transport_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// status418 answers every request with a 418, counting them.
func status418(n *atomic.Int32) transport.RoundTripperFunc {
	return func(req *http.Request) (*http.Response, error) {
		n.Add(1)
		return &http.Response{StatusCode: http.StatusTeapot, Body: http.NoBody, Request: req}, nil
	}
}

// retryTeapots calls a 418 a retryable failure (DefaultClassifier calls
// it a success).
var retryTeapots = transport.ClassifierFunc(func(req *http.Request, resp *http.Response, err error) transport.Verdict {
	if resp != nil && resp.StatusCode == http.StatusTeapot {
		return transport.Verdict{Outcome: transport.Failure, Retryable: true}
	}
	return transport.DefaultClassifier().Classify(req, resp, err)
})

func getOnce(t *testing.T, rt http.RoundTripper) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://backend.test/", nil)
	mustNoErr(t, err)
	resp, err := rt.RoundTrip(req)
	mustNoErr(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// A stage's own Classifier is used when it is set: New used to overwrite
// it with Config.Classifier.
func TestNewKeepsStageClassifier(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		rt, err := transport.New(transport.Config{
			Base:    status418(&n),
			Retry:   transport.RetryConfig{Classifier: retryTeapots, Backoff: backoff.Constant(time.Millisecond), Budget: backoff.Unlimited()},
			Breaker: transport.BreakerConfig{Off: true},
		})
		mustNoErr(t, err)
		getOnce(t, rt)
		if got := n.Load(); got != 4 {
			t.Errorf("attempts = %d, want 4: Retry's own Classifier calls a 418 retryable", got)
		}
	})
	t.Run("Config.Classifier when the stage has none", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			rt, err := transport.New(transport.Config{
				Base:       status418(&n),
				Classifier: retryTeapots,
				Retry:      transport.RetryConfig{MaxAttempts: 2, Backoff: backoff.Constant(time.Millisecond), Budget: backoff.Unlimited()},
				Breaker:    transport.BreakerConfig{ConsecutiveFailures: 2, FailFast: true},
			})
			mustNoErr(t, err)
			getOnce(t, rt)
			snaps := rt.Snapshot().Breakers
			if got := n.Load(); got != 2 || len(snaps) != 1 || snaps[0].State != breaker.Open {
				t.Errorf("attempts = %d, breakers %+v; want 2 and the host's breaker open", got, snaps)
			}
		})
	})
}

// The hedge's own Budget is used when it is set: New used to replace it
// with the retry budget.
func TestNewKeepsHedgeBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		slow := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			n.Add(1)
			select {
			case <-time.After(time.Second):
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
		})
		empty, err := backoff.NewBudget(backoff.BudgetConfig{MaxTokens: 1, NoFloor: true})
		mustNoErr(t, err)
		for empty.TryRetry() {
		}
		rt, err := transport.New(transport.Config{
			Base:  slow,
			Retry: transport.RetryConfig{Budget: backoff.Unlimited()},
			Hedge: &transport.HedgeConfig{Delay: 10 * time.Millisecond, Budget: empty},
		})
		mustNoErr(t, err)
		getOnce(t, rt)
		if got := n.Load(); got != 1 {
			t.Errorf("attempts = %d, want 1: the hedge's own (empty) budget refuses the hedge", got)
		}
	})
}

// An instance and the settings of what it replaces cannot both be set.
func TestNewInstanceAndSettings(t *testing.T) {
	g, err := breaker.NewGroup(breaker.GroupConfig{})
	mustNoErr(t, err)
	_, err = transport.New(transport.Config{Breaker: transport.BreakerConfig{Group: g, FailureRatio: 0.2}})
	var ce *transport.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Config.Breaker.Group" || !strings.Contains(err.Error(), "Config.Breaker.FailureRatio") {
		t.Errorf("New = %v; want a ConfigError naming Config.Breaker.Group and Config.Breaker.FailureRatio", err)
	}
	if _, err := transport.New(transport.Config{Breaker: transport.BreakerConfig{Group: g, FailFast: true}}); err != nil {
		t.Errorf("New with a Group and FailFast = %v, want no error (FailFast is the stage's, not the group's)", err)
	}

	b, err := balancer.New(balancer.Config{})
	mustNoErr(t, err)
	_, err = transport.New(transport.Config{Balance: &transport.BalanceConfig{Balancer: b, Outlier: balancer.OutlierConfig{Disable: true}}})
	if !errors.As(err, &ce) || ce.Field != "Config.Balance.Balancer" || !strings.Contains(err.Error(), "Config.Balance.Outlier") {
		t.Errorf("New = %v; want a ConfigError naming Config.Balance.Balancer and Config.Balance.Outlier", err)
	}
	if _, err := transport.New(transport.Config{Balance: &transport.BalanceConfig{Balancer: b, Host: "users.internal"}}); err != nil {
		t.Errorf("New with a Balancer and a Host = %v, want no error", err)
	}
}

// Off switches a stage off, in New and in the stage's own constructor.
func TestStageOff(t *testing.T) {
	t.Run("Retry.Off", func(t *testing.T) {
		var n atomic.Int32
		rt, err := transport.New(transport.Config{Base: status418(&n), Classifier: retryTeapots, Retry: transport.RetryConfig{Off: true}})
		mustNoErr(t, err)
		getOnce(t, rt)
		mw, err := transport.Retry(transport.RetryConfig{Off: true, Classifier: retryTeapots})
		mustNoErr(t, err)
		getOnce(t, mw(status418(&n)))
		if got := n.Load(); got != 2 {
			t.Errorf("attempts = %d, want 1 a call", got)
		}
	})
	t.Run("Breaker.Off", func(t *testing.T) {
		var n atomic.Int32
		rt, err := transport.New(transport.Config{Base: status418(&n), Breaker: transport.BreakerConfig{Off: true}})
		mustNoErr(t, err)
		getOnce(t, rt)
		if s := rt.Snapshot().Breakers; len(s) != 0 {
			t.Errorf("breakers = %+v, want none", s)
		}
		mw, err := transport.Breaker(transport.BreakerConfig{Off: true, FailureRatio: 2}) // settings of a stage that is off are not judged
		mustNoErr(t, err)
		getOnce(t, mw(status418(&n)))
	})
	t.Run("Limit.Off", func(t *testing.T) {
		var n atomic.Int32
		rt, err := transport.New(transport.Config{Base: status418(&n), Limit: transport.LimitConfig{Off: true}})
		mustNoErr(t, err)
		getOnce(t, rt)
		if s := rt.Snapshot().Hosts; len(s) != 0 {
			t.Errorf("hosts = %+v, want none", s)
		}
		mw, err := transport.Limit(transport.LimitConfig{Off: true})
		mustNoErr(t, err)
		getOnce(t, mw(status418(&n)))
	})
}

// The Default… values are copies: changing one changes neither the next
// copy nor what the zero config means to New.
func TestDefaultsAreCopies(t *testing.T) {
	d := transport.DefaultConfig()
	d.Timeout.Total, d.Retry.MaxAttempts = time.Nanosecond, 1
	r := transport.DefaultRetryConfig()
	r.MaxAttempts = 1
	h := transport.DefaultHedgeConfig()
	h.MaxHedges = 9
	c := transport.DefaultCoalesceConfig()
	c.MaxBody = 1
	if got := transport.DefaultConfig(); got.Timeout.Total != 15*time.Second || got.Timeout.Attempt != 5*time.Second || got.Retry.MaxAttempts != 4 {
		t.Errorf("DefaultConfig() = %+v after a change to a copy", got)
	}
	if got := transport.DefaultRetryConfig(); got.MaxAttempts != 4 || got.MaxRetryAfter != 30*time.Second || got.Backoff != transport.DefaultRetryBackoff() {
		t.Errorf("DefaultRetryConfig() = %+v after a change to a copy", got)
	}
	if got := transport.DefaultHedgeConfig(); got.MaxHedges != 1 || got.Percentile != 0.95 || got.MinDelay != 10*time.Millisecond {
		t.Errorf("DefaultHedgeConfig() = %+v after a change to a copy", got)
	}
	if got := transport.DefaultCoalesceConfig(); got.MaxBody != 1<<20 {
		t.Errorf("DefaultCoalesceConfig() = %+v after a change to a copy", got)
	}
	// The zero Config still makes 4 attempts.
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		rt, err := transport.New(transport.Config{Base: status418(&n), Classifier: retryTeapots,
			Retry: transport.RetryConfig{Budget: backoff.Unlimited()}, Breaker: transport.BreakerConfig{Off: true}})
		mustNoErr(t, err)
		getOnce(t, rt)
		if got := n.Load(); got != 4 {
			t.Errorf("attempts = %d, want 4", got)
		}
	})
}

// A Rate replaces the pushback gate and its adaptive rate: their settings
// with it are an error, where they used to be ignored.
func TestLimitRateAndGateSettings(t *testing.T) {
	r, err := limiter.NewRate(limiter.RateConfig{Limit: 10})
	mustNoErr(t, err)
	for _, lc := range []transport.LimitConfig{
		{Rate: r, AdaptiveRate: &limiter.AdaptiveRateConfig{}},
		{Rate: r, MaxPause: time.Second},
	} {
		_, err := transport.New(transport.Config{Limit: lc})
		var ce *transport.ConfigError
		if !errors.As(err, &ce) || ce.Field != "Config.Limit.Rate" {
			t.Errorf("New(%+v) = %v, want a ConfigError naming Config.Limit.Rate", lc, err)
		}
	}
	if _, err := transport.New(transport.Config{Limit: transport.LimitConfig{Rate: r}}); err != nil {
		t.Errorf("New with a Rate = %v", err)
	}
}
