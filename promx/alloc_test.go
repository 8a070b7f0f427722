package promx_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilient-go/resilient/promx"
	"github.com/resilient-go/resilient/transport"
)

// The success-path hooks allocate nothing once a host's series exist:
// the stack's hot path gets no allocation of this package's own.
func TestSuccessHooksDoNotAllocate(t *testing.T) {
	m, err := promx.New(promx.Config{Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Hooks()
	req, _ := http.NewRequest("GET", "http://x.test/", nil)
	call := transport.CallEnd{Request: req, StatusCode: 200, Attempts: 1, Duration: time.Millisecond}
	attempt := transport.AttemptEnd{Request: req, Attempt: 1, StatusCode: 200, Duration: time.Millisecond}
	h.OnCallEnd(call) // first sight of the host creates its series
	h.OnAttemptEnd(attempt)
	if n := testing.AllocsPerRun(1000, func() {
		h.OnCallEnd(call)
		h.OnAttemptEnd(attempt)
	}); n != 0 {
		t.Errorf("success hooks: %v allocations per call, want 0", n)
	}
}
