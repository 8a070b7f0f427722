package transport_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/resilient-go/resilient/transport"
)

// A stack composed with Chain and NewLimiter gets what New gets from the
// limit stage: pushback events and each host's row.
func TestLimiterHandle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		throttled := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			h := http.Header{"Retry-After": {"5"}}
			return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h, Body: http.NoBody, Request: req}, nil
		})
		var pushbacks atomic.Int32
		l, err := transport.NewLimiter(transport.LimitConfig{OnPushback: func(p transport.Pushback) {
			if p.Host == "backend.test" {
				pushbacks.Add(1)
			}
		}})
		mustNoErr(t, err)
		rt := transport.Chain(throttled, l.Middleware())
		getOnce(t, rt)
		if got := pushbacks.Load(); got != 1 {
			t.Errorf("pushback events = %d, want 1", got)
		}
		hosts := l.Hosts()
		if len(hosts) != 1 || hosts[0].Host != "backend.test" {
			t.Errorf("Hosts() = %+v, want backend.test's row", hosts)
		}

		// New's Snapshot reads the same rows, and both hooks are called.
		var hooked atomic.Int32
		stack, err := transport.New(transport.Config{
			Base:    throttled,
			Retry:   transport.RetryConfig{Off: true},
			Limit:   transport.LimitConfig{OnPushback: func(transport.Pushback) { pushbacks.Add(1) }},
			Hooks:   transport.Hooks{OnPushback: func(transport.Pushback) { hooked.Add(1) }},
			Breaker: transport.BreakerConfig{Off: true},
		})
		mustNoErr(t, err)
		getOnce(t, stack)
		if pushbacks.Load() != 2 || hooked.Load() != 1 {
			t.Errorf("pushback events: LimitConfig.OnPushback %d, Hooks.OnPushback %d; want 2 and 1", pushbacks.Load(), hooked.Load())
		}
		if s := stack.Snapshot().Hosts; len(s) != 1 || s[0].Host != "backend.test" {
			t.Errorf("Snapshot().Hosts = %+v, want backend.test's row", s)
		}
	})
}
