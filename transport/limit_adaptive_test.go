package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// quotaStub is a server behind a request quota: it admits quota requests
// per second (a token bucket holding a tenth of a second's worth, as the
// demo's brownout does) and answers the rest 429 with Retry-After: 1,
// each after latency.
type quotaStub struct {
	lim       *rate.Limiter
	latency   time.Duration
	ok, t429s atomic.Int64
}

func newQuotaStub(quota float64, latency time.Duration) *quotaStub {
	return &quotaStub{lim: rate.NewLimiter(rate.Limit(quota), max(1, int(quota/10))), latency: latency}
}

func (s *quotaStub) RoundTrip(req *http.Request) (*http.Response, error) {
	t := time.NewTimer(s.latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if s.lim.Allow() {
		s.ok.Add(1)
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
	}
	s.t429s.Add(1)
	h := http.Header{"Retry-After": []string{"1"}}
	return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h, Body: http.NoBody, Request: req}, nil
}

// quotaRun is what one client got from a quotaStub.
type quotaRun struct {
	served, throttled int64 // requests the stub answered 200, 429, while the calls came
	calls, succeeded  int   // calls made, calls that ended in a 200
	limited           int   // calls refused by our own limiter
}

// goodput returns the requests served while the calls came, as a share
// of the quota over that time.
func (r quotaRun) goodput() float64 {
	return float64(r.served) / (quotaShare * quotaOffered * quotaDuration.Seconds())
}

func (r quotaRun) String() string {
	return fmt.Sprintf("goodput %5.1f %% of the quota (%4d served), 429s %4d, calls ok %5.1f %% (%4d refused by our limiter)",
		100*r.goodput(), r.served, r.throttled, 100*float64(r.succeeded)/float64(r.calls), r.limited)
}

// Offered load and quota of the quota scenario: the quota is 65 % of the
// offered rate, as in the demo's brownout.
const (
	quotaOffered  = 200.0 // calls per second
	quotaShare    = 0.65
	quotaDuration = 10 * time.Second
	quotaLatency  = 20 * time.Millisecond
)

// runQuota offers quotaOffered calls per second for quotaDuration of fake
// time to the client that mk builds over a fresh quotaStub, open loop,
// and waits for every call to end. It runs inside a synctest bubble.
func runQuota(t *testing.T, mk func(base http.RoundTripper) http.RoundTripper) quotaRun {
	t.Helper()
	stub := newQuotaStub(quotaShare*quotaOffered, quotaLatency)
	client := &http.Client{Transport: mk(stub)}
	var (
		wg                  sync.WaitGroup
		succeeded, refusedN atomic.Int64
	)
	interval := time.Duration(float64(time.Second) / quotaOffered)
	n := int(quotaDuration / interval)
	for range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://api.test/item", nil)
			resp, err := client.Do(req)
			switch {
			case err == nil:
				if resp.StatusCode == http.StatusOK {
					succeeded.Add(1)
				}
				_ = resp.Body.Close()
			case errors.Is(err, limiter.ErrLimited):
				refusedN.Add(1)
			}
		})
		time.Sleep(interval)
	}
	served, throttled := stub.ok.Load(), stub.t429s.Load()
	wg.Wait()
	return quotaRun{
		served: served, throttled: throttled,
		calls: n, succeeded: int(succeeded.Load()), limited: int(refusedN.Load()),
	}
}

func quotaStack(t *testing.T, lc transport.LimitConfig) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		tr, err := transport.New(transport.Config{Base: base, Limit: lc})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
}

// TestAdaptiveRateQuota runs a client against a server that admits 65 % of
// the offered rate and answers the rest 429 Retry-After: 1, for 10 s of
// fake time: a plain client (no stack), the stack with the default
// pushback pause, and the stack with the adaptive rate. The adaptive rate
// must get most of the quota through with far fewer 429s than the plain
// client; the pause gets less of it (it stops every call for each
// Retry-After), which the test records.
func TestAdaptiveRateQuota(t *testing.T) {
	var plain, pause, adaptive quotaRun
	synctest.Test(t, func(t *testing.T) {
		plain = runQuota(t, func(base http.RoundTripper) http.RoundTripper { return base })
	})
	synctest.Test(t, func(t *testing.T) {
		pause = runQuota(t, quotaStack(t, transport.LimitConfig{Rate: pauseOnly(t), FailFast: true}))
	})
	synctest.Test(t, func(t *testing.T) {
		adaptive = runQuota(t, quotaStack(t, transport.LimitConfig{FailFast: true}))
	})
	t.Logf("plain    %v", plain)
	t.Logf("pause    %v", pause)
	t.Logf("adaptive %v", adaptive)
	if g := adaptive.goodput(); g < 0.7 {
		t.Errorf("adaptive: goodput %.2f of the quota, want ≥ 0.7", g)
	}
	if adaptive.throttled*5 > plain.throttled {
		t.Errorf("adaptive: %d 429s, want at most a fifth of the plain client's %d", adaptive.throttled, plain.throttled)
	}
	if pause.goodput() >= adaptive.goodput() {
		t.Errorf("pause served %d, adaptive %d: want the adaptive rate to get more of the quota", pause.served, adaptive.served)
	}
}

// TestAdaptiveRateQuotaWait is the quota scenario with the defaults: calls
// wait for their turn (within their deadline) instead of failing. With
// the adaptive rate more of them end well (late) and the quota is used as
// fully; with a pause, every waiter goes at once at the end of each
// pause, into the quota's small bucket, and most of them draw a 429 and a
// new pause.
func TestAdaptiveRateQuotaWait(t *testing.T) {
	var pause, adaptive quotaRun
	synctest.Test(t, func(t *testing.T) {
		pause = runQuota(t, quotaStack(t, transport.LimitConfig{Rate: pauseOnly(t)}))
	})
	synctest.Test(t, func(t *testing.T) {
		adaptive = runQuota(t, quotaStack(t, transport.LimitConfig{}))
	})
	t.Logf("pause, waiting:    %v", pause)
	t.Logf("defaults: %v", adaptive)
	if g := adaptive.goodput(); g < 0.7 {
		t.Errorf("adaptive: goodput %.2f of the quota, want ≥ 0.7", g)
	}
	if ok := float64(adaptive.succeeded) / float64(adaptive.calls); ok < 0.7 {
		t.Errorf("adaptive: %.2f of the calls succeeded, want ≥ 0.7: waiting should turn refusals into late successes", ok)
	}
	if pause.goodput() >= adaptive.goodput() || pause.throttled <= adaptive.throttled {
		t.Errorf("pause: goodput %.2f, %d 429s; adaptive: %.2f, %d: want the adaptive rate ahead on both",
			pause.goodput(), pause.throttled, adaptive.goodput(), adaptive.throttled)
	}
}

// pauseOnly returns a Rate that limits nothing and pauses a host on
// pushback: the pushback of a LimitConfig with a Rate.
func pauseOnly(t *testing.T) *limiter.Rate {
	r, err := limiter.NewRate(limiter.RateConfig{Limit: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
