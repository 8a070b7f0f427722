package promx_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// The host label is bounded: past MaxHosts, calls count under "other".
// The URL's path and query never reach a label.
func TestMaxHostsBoundsTheHostLabel(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := promx.New(promx.Config{Registerer: reg, MaxHosts: 2, Namespace: "svc", DurationBuckets: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.New(transport.Config{Base: okStub, Hooks: m.Hooks()})
	if err != nil {
		t.Fatal(err)
	}
	for i, host := range []string{"a.test", "b.test", "c.test", "d.test", "a.test", "other"} {
		if status, err := get(rt, "http://"+host+"/users/"+strconv.Itoa(i)+"?q=secret"); status != 200 || err != nil {
			t.Fatalf("%s: %d %v", host, status, err)
		}
	}
	wantSeries(t, reg, `
		svc_calls_total{host="a.test",outcome="success"} 2
		svc_calls_total{host="b.test",outcome="success"} 1
		svc_calls_total{host="other",outcome="success"} 3
	`, "svc_calls_total")
	// The durations' sums are real time; their counts are exact.
	var counts []string
	for l := range strings.SplitSeq(series(t, reg, "svc_call_duration_seconds"), "\n") {
		if strings.Contains(l, "secret") || strings.Contains(l, "/users") {
			t.Errorf("a URL leaked into the labels: %s", l)
		}
		if !strings.Contains(l, "_sum") {
			counts = append(counts, l)
		}
	}
	want := `svc_call_duration_seconds_bucket{host="a.test",le="1"} 2
svc_call_duration_seconds_bucket{host="a.test",le="+Inf"} 2
svc_call_duration_seconds_count{host="a.test"} 2
svc_call_duration_seconds_bucket{host="b.test",le="1"} 1
svc_call_duration_seconds_bucket{host="b.test",le="+Inf"} 1
svc_call_duration_seconds_count{host="b.test"} 1
svc_call_duration_seconds_bucket{host="other",le="1"} 3
svc_call_duration_seconds_bucket{host="other",le="+Inf"} 3
svc_call_duration_seconds_count{host="other"} 3`
	if got := strings.Join(counts, "\n"); got != want {
		t.Errorf("duration histogram:\n%s\nwant:\n%s", got, want)
	}
}

// The gauges come from the observed Transport only: none before Observe,
// none after Observe(nil).
func TestObserveControlsTheGauges(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := promx.New(promx.Config{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.New(transport.Config{Base: okStub, Hooks: m.Hooks()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := get(rt, "http://a.test/"); err != nil {
		t.Fatal(err)
	}
	gauges := []string{"resilient_breaker_state", "resilient_retry_budget_available"}
	wantSeries(t, reg, ``, gauges...)
	m.Observe(rt)
	wantSeries(t, reg, `
		resilient_breaker_state{host="a.test",state="closed"} 1
		resilient_breaker_state{host="a.test",state="disabled"} 0
		resilient_breaker_state{host="a.test",state="half-open"} 0
		resilient_breaker_state{host="a.test",state="isolated"} 0
		resilient_breaker_state{host="a.test",state="open"} 0
		resilient_retry_budget_available 10
	`, gauges...)
	m.Observe(nil)
	wantSeries(t, reg, ``, gauges...)
}

// The stack's own pool over a real loopback server: every call got a
// connection, new or reused, counted under the pool's host:port.
func TestPoolConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	reg := prometheus.NewPedanticRegistry()
	m, err := promx.New(promx.Config{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.New(transport.Config{Hooks: m.Hooks()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.CloseIdleConnections()
	m.Observe(rt)
	const calls = 20
	for range calls {
		if status, err := get(rt, srv.URL); status != 200 || err != nil {
			t.Fatalf("%d %v", status, err)
		}
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	conns := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "resilient_pool_connections_total" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range mt.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			if labels["host"] != host {
				t.Errorf("pool series for host %q, want %q", labels["host"], host)
			}
			conns[labels["kind"]] = mt.GetCounter().GetValue()
		}
	}
	// net/http hands a read connection back a moment after the body's
	// end, so a sequential call may now and then dial one more.
	if len(conns) != 2 || conns["new"]+conns["reused"] != calls || conns["new"] < 1 || conns["new"] > 3 {
		t.Errorf("pool connections %v, want new+reused = %d with 1 to 3 new", conns, calls)
	}
}
