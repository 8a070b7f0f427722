package promx_test

import (
	"math"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// A host with an adaptive rate reports it: +Inf before its first throttle,
// a finite rate once a 429 has cut it.
func TestAdaptiveRateGauge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		throttle := false
		base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			code := http.StatusOK
			if throttle {
				code = http.StatusTooManyRequests
			}
			return &http.Response{StatusCode: code, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
		})
		reg := prometheus.NewPedanticRegistry()
		m, err := promx.New(promx.Config{Registerer: reg})
		if err != nil {
			t.Fatal(err)
		}
		rt, err := transport.New(transport.Config{
			Base:  base,
			Retry: transport.RetryConfig{Off: true},
			Limit: transport.LimitConfig{AdaptiveRate: &limiter.AdaptiveRateConfig{}},
			Hooks: m.Hooks(),
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(rt)
		get := func() {
			req, _ := http.NewRequest(http.MethodGet, "http://quota.test/", nil)
			if resp, err := rt.RoundTrip(req); err == nil {
				resp.Body.Close()
			}
		}
		get()
		if v := gaugeValue(t, reg, "resilient_adaptive_rate_limit"); !math.IsInf(v, 1) {
			t.Fatalf("before any throttle: adaptive rate %v, want +Inf", v)
		}
		throttle = true
		get()
		if v := gaugeValue(t, reg, "resilient_adaptive_rate_limit"); math.IsInf(v, 0) || v <= 0 {
			t.Fatalf("after a 429: adaptive rate %v, want a finite positive rate", v)
		}
	})
}

// gaugeValue returns the one value of the gauge name in reg.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			if len(mf.GetMetric()) != 1 {
				t.Fatalf("%s has %d series, want 1", name, len(mf.GetMetric()))
			}
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s in the scrape", name)
	return 0
}
