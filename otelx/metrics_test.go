package otelx_test

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/otelx"
	"github.com/resilient-go/resilient/transport"
)

// points renders every data point of the collected metrics as
// "name{k=v,...} value" lines (histograms: their count and sum), sorted.
func points(t *testing.T, reader *sdkmetric.ManualReader) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []string
	line := func(name string, set attribute.Set, value string) {
		var kvs []string
		for _, kv := range set.ToSlice() {
			kvs = append(kvs, kvString(kv))
		}
		out = append(out, name+"{"+strings.Join(kvs, ",")+"} "+value)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					line(m.Name, p.Attributes, itoa(p.Value))
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					line(m.Name, p.Attributes, itoa(p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					line(m.Name, p.Attributes, "count="+itoa(int64(p.Count)))
				}
			default:
				t.Fatalf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	sort.Strings(out)
	return out
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// The OTel metrics, read back with the SDK's ManualReader, after a retried
// success, a failure the retries could not fix, and an outage that trips
// the breaker: the per-attempt duration histogram with the HTTP client
// conventions' attributes, calls by how they ended for their caller (the
// two refused calls among the errors), retries, refusals, the transition
// and the breaker's state.
func TestMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		defer func() { _ = mp.Shutdown(context.Background()) }()
		m, err := otelx.NewMetrics(otelx.MetricsConfig{MeterProvider: mp})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		rt, err := transport.New(transport.Config{
			Base:    scripted(reply{status: 503}, reply{status: 200}, reply{status: 503}),
			Retry:   transport.RetryConfig{MaxAttempts: 2, Backoff: fixedBackoff(t, 10*time.Millisecond)},
			Breaker: transport.BreakerConfig{FailFast: true, ConsecutiveFailures: 3, BreakDuration: time.Minute},
			Hooks:   m.Hooks(),
		})
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(rt)
		if status, err := get(rt, url); status != 200 || err != nil {
			t.Fatalf("call 1 = %d, %v; want 200 after a retry", status, err)
		}
		if status, err := get(rt, url); status != 503 || err != nil {
			t.Fatalf("call 2 = %d, %v; want 503 twice", status, err)
		}
		for i := 3; i <= 4; i++ {
			if _, err := get(rt, url); !errors.Is(err, breaker.ErrOpen) {
				t.Fatalf("call %d: %v, want breaker.ErrOpen", i, err)
			}
		}
		got := points(t, reader)
		want := []string{
			`http.client.request.duration{error.type=503,http.request.method=GET,http.response.status_code=503,server.address=backend.test,server.port=80,url.scheme=http} count=4`,
			`http.client.request.duration{http.request.method=GET,http.response.status_code=200,server.address=backend.test,server.port=80,url.scheme=http} count=1`,
			`resilient.client.breaker.state{resilient.breaker.state=closed,resilient.host=backend.test} 0`,
			`resilient.client.breaker.state{resilient.breaker.state=disabled,resilient.host=backend.test} 0`,
			`resilient.client.breaker.state{resilient.breaker.state=half-open,resilient.host=backend.test} 0`,
			`resilient.client.breaker.state{resilient.breaker.state=isolated,resilient.host=backend.test} 0`,
			`resilient.client.breaker.state{resilient.breaker.state=open,resilient.host=backend.test} 1`,
			`resilient.client.breaker.transitions{resilient.breaker.from=closed,resilient.breaker.to=open,resilient.host=backend.test} 1`,
			`resilient.client.calls{resilient.call.outcome=error_status,resilient.host=backend.test} 1`,
			`resilient.client.calls{resilient.call.outcome=refused,resilient.host=backend.test} 2`,
			`resilient.client.calls{resilient.call.outcome=success,resilient.host=backend.test} 1`,
			`resilient.client.rejections{resilient.host=backend.test,resilient.stage=breaker} 2`,
			`resilient.client.retries{resilient.host=backend.test,resilient.reason=server_error} 3`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("metrics:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// The hooks that the outage above does not reach, called as the stack
// calls them: pushback and the budget's refusals, and a HostKey naming
// hosts as the breakers do.
func TestMetricsPushbackBudgetHostKey(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	m, err := otelx.NewMetrics(otelx.MetricsConfig{MeterProvider: mp, HostKey: func(*http.Request) string { return "catalog" }})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	h := m.Hooks()
	h.OnPushback(transport.Pushback{Host: "backend.test", Until: time.Now().Add(time.Second)})
	h.OnBudgetExhausted(transport.RetryEvent{Request: req, Attempt: 1, StatusCode: 503})
	h.OnCallEnd(transport.CallEnd{Request: req, StatusCode: 503, Verdict: transport.Verdict{Outcome: transport.Failure}, Attempts: 1})
	got := strings.Join(points(t, reader), "\n")
	want := strings.Join([]string{
		`resilient.client.calls{resilient.call.outcome=error_status,resilient.host=catalog} 1`,
		`resilient.client.pushbacks{resilient.host=backend.test} 1`,
		`resilient.client.retry_budget_exhausted{resilient.host=catalog} 1`,
	}, "\n")
	if got != want {
		t.Errorf("metrics:\ngot:\n%s\nwant:\n%s", got, want)
	}
}
