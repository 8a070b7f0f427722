package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// phaseNames lists the fault schedule, in order.
var phaseNames = []string{"healthy", "flaky", "outage", "throttled", "recovered"}

// schedule is the fault schedule every backend runs.
func schedule(phase time.Duration) []chaos.Phase {
	jitter := chaos.Latency{P: 1, Dist: chaos.Uniform(time.Millisecond, 5*time.Millisecond)}
	return []chaos.Phase{
		{Name: "healthy", Duration: phase, Latency: jitter},
		{Name: "flaky", Duration: phase, Latency: jitter, Reset: 0.05, Status: 0.10, StatusCode: http.StatusServiceUnavailable},
		{Name: "outage", Duration: phase, Latency: jitter, Status: 1, StatusCode: http.StatusServiceUnavailable},
		{Name: "throttled", Duration: phase, Latency: jitter, Status: 0.3, StatusCode: http.StatusTooManyRequests, RetryAfter: "1"},
		{Name: "recovered", Duration: 0, Latency: jitter},
	}
}

// backend is a loopback server behind a fault injector.
type backend struct {
	server   *httptest.Server
	injector *chaos.Injector
}

func newBackend(seed uint64, phase time.Duration) (*backend, error) {
	inj, err := chaos.New(chaos.Config{Seed: seed, Phases: schedule(phase)})
	if err != nil {
		return nil, err
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	return &backend{server: httptest.NewServer(inj.Handler(ok)), injector: inj}, nil
}

func (b *backend) close() {
	b.injector.Close()
	b.server.Close()
}
