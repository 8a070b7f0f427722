package promx_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// endpointMetrics are the families read from Snapshot.Endpoints, and the
// ejections counted by BalancerHooks.
var endpointMetrics = []string{
	"resilient_endpoint_in_flight", "resilient_endpoint_attempts_total", "resilient_endpoint_ejected",
	"resilient_endpoint_healthy", "resilient_endpoints", "resilient_endpoints_ejected",
	"resilient_endpoints_unhealthy", "resilient_endpoint_ejections_total",
}

// balancedStack is transport.New balancing "users.internal" over three
// replicas (round robin, ejection after 3 failures in a row) whose base,
// which sees each attempt's replica address as the URL's host, answers
// 503 for the second replica and 200 after 10ms for the others.
func balancedStack(t *testing.T, m *promx.Metrics) *transport.Transport {
	t.Helper()
	users, err := discovery.NewStatic(
		discovery.Endpoint{Addr: "10.0.0.1:8080"},
		discovery.Endpoint{Addr: "10.0.0.2:8080"},
		discovery.Endpoint{Addr: "10.0.0.3:8080"},
	)
	if err != nil {
		t.Fatal(err)
	}
	base := transport.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host == "10.0.0.2:8080" {
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: http.NoBody, Request: req}, nil
		}
		time.Sleep(10 * time.Millisecond) // fake time in a synctest bubble
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
	})
	rt, err := transport.New(transport.Config{
		Base:  base,
		Retry: transport.RetryConfig{Off: true},
		Hooks: m.Hooks(),
		Balance: &transport.BalanceConfig{Resolver: users, Host: "users.internal",
			Policy:  balancer.RoundRobin,
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, BaseEjection: time.Minute},
			Hooks:   m.BalancerHooks(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(rt)
	return rt
}

// Nine calls, three per replica: the failing one is ejected after its
// third failure, and the scrape shows each endpoint's attempts, in-flight
// count, ejection and health, and the set-wide counts.
func TestEndpointSeries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewPedanticRegistry()
		m, err := promx.New(promx.Config{Registerer: reg})
		if err != nil {
			t.Fatal(err)
		}
		rt := balancedStack(t, m)
		wantSeries(t, reg, `
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="failure"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="success"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.2:8080",outcome="failure"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.2:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.2:8080",outcome="success"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.3:8080",outcome="failure"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.3:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.3:8080",outcome="success"} 0
			resilient_endpoint_ejected{endpoint="10.0.0.1:8080"} 0
			resilient_endpoint_ejected{endpoint="10.0.0.2:8080"} 0
			resilient_endpoint_ejected{endpoint="10.0.0.3:8080"} 0
			resilient_endpoint_healthy{endpoint="10.0.0.1:8080"} 1
			resilient_endpoint_healthy{endpoint="10.0.0.2:8080"} 1
			resilient_endpoint_healthy{endpoint="10.0.0.3:8080"} 1
			resilient_endpoint_in_flight{endpoint="10.0.0.1:8080"} 0
			resilient_endpoint_in_flight{endpoint="10.0.0.2:8080"} 0
			resilient_endpoint_in_flight{endpoint="10.0.0.3:8080"} 0
			resilient_endpoints 3
			resilient_endpoints_ejected 0
			resilient_endpoints_unhealthy 0
		`, endpointMetrics...)

		for range 9 {
			if _, err := get(rt, "http://users.internal/v1/users/42"); err != nil {
				t.Fatal(err)
			}
		}
		wantSeries(t, reg, `
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="failure"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="success"} 3
			resilient_endpoint_attempts_total{endpoint="10.0.0.2:8080",outcome="failure"} 3
			resilient_endpoint_attempts_total{endpoint="10.0.0.2:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.2:8080",outcome="success"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.3:8080",outcome="failure"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.3:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.3:8080",outcome="success"} 3
			resilient_endpoint_ejected{endpoint="10.0.0.1:8080"} 0
			resilient_endpoint_ejected{endpoint="10.0.0.2:8080"} 1
			resilient_endpoint_ejected{endpoint="10.0.0.3:8080"} 0
			resilient_endpoint_ejections_total{endpoint="10.0.0.2:8080",reason="consecutive_failures"} 1
			resilient_endpoint_healthy{endpoint="10.0.0.1:8080"} 1
			resilient_endpoint_healthy{endpoint="10.0.0.2:8080"} 1
			resilient_endpoint_healthy{endpoint="10.0.0.3:8080"} 1
			resilient_endpoint_in_flight{endpoint="10.0.0.1:8080"} 0
			resilient_endpoint_in_flight{endpoint="10.0.0.2:8080"} 0
			resilient_endpoint_in_flight{endpoint="10.0.0.3:8080"} 0
			resilient_endpoints 3
			resilient_endpoints_ejected 1
			resilient_endpoints_unhealthy 0
		`, endpointMetrics...)

		// The latency average is the good replicas' 10ms (a little less
		// for the one called longest ago: it decays while idle); the
		// failing replica's answers took no time.
		lat := map[string]float64{}
		for l := range strings.SplitSeq(series(t, reg, "resilient_endpoint_latency_seconds"), "\n") {
			key, value, _ := strings.Cut(l, " ")
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			lat[strings.TrimSuffix(strings.TrimPrefix(key, `resilient_endpoint_latency_seconds{endpoint="`), `"}`)] = v
		}
		for addr, want := range map[string]float64{"10.0.0.1:8080": 0.01, "10.0.0.2:8080": 0, "10.0.0.3:8080": 0.01} {
			if got, ok := lat[addr]; !ok || got < want*0.95 || got > want {
				t.Errorf("latency of %s = %v (exported %v), want %v (within 5 %% below)", addr, got, ok, want)
			}
		}
	})
}

// MaxEndpoints bounds the endpoint label: the per-endpoint series of the
// set's first MaxEndpoints endpoints only, while the set-wide counts
// cover all; ejections past the bound count under endpoint="other".
func TestMaxEndpointsBoundsTheEndpointLabel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewPedanticRegistry()
		m, err := promx.New(promx.Config{Registerer: reg, MaxEndpoints: 1})
		if err != nil {
			t.Fatal(err)
		}
		rt := balancedStack(t, m)
		for range 9 {
			if _, err := get(rt, "http://users.internal/"); err != nil {
				t.Fatal(err)
			}
		}
		// The hooks alone, as the balancer of another stack would call
		// them: the first endpoint ejected owns the one label value.
		m.BalancerHooks().OnEject(balancer.Ejection{Addr: "10.0.0.9:8080", Reason: balancer.ReasonFailureRatio})
		wantSeries(t, reg, `
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="failure"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="ignored"} 0
			resilient_endpoint_attempts_total{endpoint="10.0.0.1:8080",outcome="success"} 3
			resilient_endpoint_ejected{endpoint="10.0.0.1:8080"} 0
			resilient_endpoint_ejections_total{endpoint="10.0.0.2:8080",reason="consecutive_failures"} 1
			resilient_endpoint_ejections_total{endpoint="other",reason="failure_ratio"} 1
			resilient_endpoint_healthy{endpoint="10.0.0.1:8080"} 1
			resilient_endpoint_in_flight{endpoint="10.0.0.1:8080"} 0
			resilient_endpoints 3
			resilient_endpoints_ejected 1
			resilient_endpoints_unhealthy 0
		`, endpointMetrics...)
	})
}

// A stack that does not balance exports no endpoint series at all.
func TestNoEndpointSeriesWithoutBalancing(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := promx.New(promx.Config{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.New(transport.Config{Base: okStub, Hooks: m.Hooks()})
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(rt)
	if _, err := get(rt, "http://a.test/"); err != nil {
		t.Fatal(err)
	}
	wantSeries(t, reg, ``, append(endpointMetrics, "resilient_endpoint_latency_seconds")...)
	wantSeries(t, reg, `resilient_calls_total{host="a.test",outcome="success"} 1`, "resilient_calls_total")
}
