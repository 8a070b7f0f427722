package transport_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

func TestAdaptiveRateConfigErrors(t *testing.T) {
	for name, lc := range map[string]transport.LimitConfig{
		"with PushbackOff": {AdaptiveRate: &limiter.AdaptiveRateConfig{}, PushbackOff: true},
		"bad Beta":         {AdaptiveRate: &limiter.AdaptiveRateConfig{Beta: 2}},
	} {
		_, err := transport.Limit(lc)
		if !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("Limit %s: %v, want ErrInvalidConfig", name, err)
		}
		_, err = transport.New(transport.Config{Base: okStub, Limit: lc})
		if !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("New %s: %v, want ErrInvalidConfig", name, err)
		}
	}
	_, err := transport.Limit(transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{Beta: 2}})
	if !errors.Is(err, limiter.ErrInvalidConfig) {
		t.Errorf("bad Beta: %v, want limiter.ErrInvalidConfig too", err)
	}
}

// TestAdaptiveRateStack: through transport.New, a 429 with Retry-After
// closes the host's pushback gate (OnPushback fires, until a tenth of the
// Retry-After), the retry of the throttled call waits for the Retry-After
// and is the gate's probe; served, it shows a quota, so the host's rate is
// cut (Snapshot shows it) rather than the host paused, and with FailFast
// calls beyond the new rate fail at once with ErrLimited, not sent.
func TestAdaptiveRateStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{{status: 429, retryAfter: "2"}, {status: 200}}}
		var pushbacks []transport.Pushback
		tr, err := transport.New(transport.Config{
			Base:  s,
			Limit: transport.LimitConfig{FailFast: true},
			Hooks: transport.Hooks{OnPushback: func(p transport.Pushback) { pushbacks = append(pushbacks, p) }},
		})
		mustNoErr(t, err)
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, "http://api.test/", nil)
		resp, err := tr.RoundTrip(req)
		mustNoErr(t, err)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || s.Calls() != 2 {
			t.Fatalf("status %d after %d attempts, want 200 after 2", resp.StatusCode, s.Calls())
		}
		if d := time.Since(start); d < 2*time.Second {
			t.Errorf("the retry came after %v, before the Retry-After of 2s", d)
		}
		if len(pushbacks) != 1 || pushbacks[0].Host != "api.test" || !pushbacks[0].Until.Equal(start.Add(200*time.Millisecond)) {
			t.Errorf("pushbacks %+v, want one for api.test until start+200ms (the probe)", pushbacks)
		}
		hosts := tr.Snapshot().Hosts
		if len(hosts) != 1 {
			t.Fatalf("Snapshot().Hosts = %+v, want api.test", hosts)
		}
		h := hosts[0]
		if h.AdaptiveRate <= 0 || math.IsInf(h.AdaptiveRate, 1) || !h.PausedUntil.IsZero() {
			t.Errorf("host %+v: want a finite adaptive rate and no pause", h)
		}
		// The bucket was emptied at the cut (when the probe was served);
		// a second later a burst of calls finds it refilled, and the
		// rest fail fast without being sent.
		time.Sleep(time.Second)
		var limited int
		for range 100 {
			req, _ := http.NewRequest(http.MethodGet, "http://api.test/", nil)
			resp, err := tr.RoundTrip(req)
			switch {
			case err == nil:
				_ = resp.Body.Close()
			case errors.Is(err, limiter.ErrLimited) && transport.NotSent(err):
				limited++
			default:
				t.Fatalf("call: %v", err)
			}
		}
		if limited == 0 || limited == 100 {
			t.Errorf("%d of 100 calls at once refused at rate %.1f/s, want some", limited, h.AdaptiveRate)
		}
	})
}

// TestAdaptiveRateSignals: a 429 without Retry-After cuts the rate; a 429
// or 503 with Retry-After closes the pushback gate; a 503 without it does
// neither (it is a failure, for the breaker and the concurrency limit);
// until a throttle the host has no limit. Either way, with FailFast, the
// next call is refused at once.
func TestAdaptiveRateSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		step step
		cut  bool
	}{
		{"429", step{status: 429}, true},
		{"429 Retry-After", step{status: 429, retryAfter: "1"}, true},
		{"503 Retry-After", step{status: 503, retryAfter: "1"}, true},
		{"503", step{status: 503}, false},
		{"200", step{status: 200}, false},
	} {
		lt, err := transport.Limit(transport.LimitConfig{FailFast: true})
		mustNoErr(t, err)
		rt := lt(&script{steps: []step{tc.step}})
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://api.test/", nil)
		resp, err := rt.RoundTrip(req)
		mustNoErr(t, err)
		_ = resp.Body.Close()
		// Right after a cut the bucket is empty: the next call is refused.
		resp, err = rt.RoundTrip(req.Clone(context.Background()))
		if err == nil {
			_ = resp.Body.Close()
		}
		if cut := errors.Is(err, limiter.ErrLimited); cut != tc.cut {
			t.Errorf("%s: next call refused = %v (%v), want %v", tc.name, cut, err, tc.cut)
		}
	}
}
