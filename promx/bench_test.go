package promx_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// The success path of the assembled stack (defaults, over a stub that
// returns a fresh 200 with no I/O) in one run: without hooks; with the
// same hooks set but empty (the stack's own price for observing a call,
// see transport.Hooks); and with the metrics. metrics=on minus hooks=empty
// is what the Prometheus counters and histogram cost a call.
func BenchmarkStack(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			benchRoundTrip(b, benchStack(b, mode))
		})
	}
}

func BenchmarkStackParallel(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			rt := benchStack(b, mode)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req, _ := http.NewRequest("GET", "http://x.test/", nil)
				for pb.Next() {
					resp, err := rt.RoundTrip(req)
					if err != nil || resp.StatusCode != 200 {
						b.Error(resp, err)
						return
					}
				}
			})
		})
	}
}

// A scrape of a stack that has seen one host: what Prometheus costs the
// process every scrape interval, off the request path.
func BenchmarkScrape(b *testing.B) {
	reg := prometheus.NewRegistry()
	m, err := promx.New(promx.Config{Registerer: reg})
	if err != nil {
		b.Fatal(err)
	}
	rt, err := transport.New(transport.Config{Base: okStub, Hooks: m.Hooks()})
	if err != nil {
		b.Fatal(err)
	}
	m.Observe(rt)
	if _, err := get(rt, "http://x.test/"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}

var benchModes = []string{"metrics=off", "hooks=empty", "metrics=on"}

func benchStack(b *testing.B, mode string) *transport.Transport {
	cfg := transport.Config{Base: okStub}
	m, err := promx.New(promx.Config{Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	switch mode {
	case "hooks=empty":
		// The same fields as Metrics.Hooks, doing nothing.
		h := m.Hooks()
		cfg.Hooks = transport.Hooks{
			OnCallEnd:            func(transport.CallEnd) {},
			OnAttemptEnd:         func(transport.AttemptEnd) {},
			OnRetry:              h.OnRetry,
			OnBudgetExhausted:    h.OnBudgetExhausted,
			OnBreakerStateChange: h.OnBreakerStateChange,
			OnRejected:           h.OnRejected,
			OnPushback:           h.OnPushback,
		}
	case "metrics=on":
		cfg.Hooks = m.Hooks()
	}
	rt, err := transport.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return rt
}

func benchRoundTrip(b *testing.B, rt http.RoundTripper) {
	req, _ := http.NewRequest("GET", "http://x.test/", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp, err)
		}
	}
}

// The metrics' own work on a successful call, without the stack: a host
// lookup, two counter increments and a histogram observation.
func BenchmarkHooksSuccess(b *testing.B) {
	m, err := promx.New(promx.Config{Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	h := m.Hooks()
	req, _ := http.NewRequest("GET", "http://x.test/", nil)
	call := transport.CallEnd{Request: req, StatusCode: 200, Attempts: 1, Duration: 3 * time.Millisecond}
	attempt := transport.AttemptEnd{Request: req, Attempt: 1, StatusCode: 200, Duration: 3 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		h.OnCallEnd(call)
		h.OnAttemptEnd(attempt)
	}
}

func BenchmarkHooksSuccessParallel(b *testing.B) {
	m, err := promx.New(promx.Config{Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	h := m.Hooks()
	req, _ := http.NewRequest("GET", "http://x.test/", nil)
	call := transport.CallEnd{Request: req, StatusCode: 200, Attempts: 1, Duration: 3 * time.Millisecond}
	attempt := transport.AttemptEnd{Request: req, Attempt: 1, StatusCode: 200, Duration: 3 * time.Millisecond}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.OnCallEnd(call)
			h.OnAttemptEnd(attempt)
		}
	})
}
