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

// phaseLengths are the phases' lengths in units of -phase. The outage is
// longer than the rest: long enough for a breaker with the default 10 s
// window to see a majority of failures and open, and to show it failing
// fast while open.
var phaseLengths = []float64{1, 1, 2.5, 1, 1.5}

// phaseStarts returns when each phase starts, and when the schedule ends.
func phaseStarts(unit time.Duration) (starts []time.Duration, end time.Duration) {
	for _, l := range phaseLengths {
		starts = append(starts, end)
		end += time.Duration(l * float64(unit))
	}
	return starts, end
}

// phaseAt returns the index of the phase running at elapsed.
func phaseAt(unit, elapsed time.Duration) int {
	starts, _ := phaseStarts(unit)
	i := 0
	for i+1 < len(starts) && elapsed >= starts[i+1] {
		i++
	}
	return i
}

// schedule is the fault schedule every backend runs.
func schedule(unit time.Duration) []chaos.Phase {
	jitter := chaos.Latency{P: 1, Dist: chaos.Uniform(time.Millisecond, 5*time.Millisecond)}
	phases := []chaos.Phase{
		{Latency: jitter},
		{Latency: jitter, Reset: 0.05, Status: 0.10, StatusCode: http.StatusServiceUnavailable},
		{Latency: jitter, Status: 1, StatusCode: http.StatusServiceUnavailable},
		{Latency: jitter, Status: 0.3, StatusCode: http.StatusTooManyRequests, RetryAfter: "1"},
		{Latency: jitter}, // the last phase lasts forever
	}
	for i := range phases {
		phases[i].Name = phaseNames[i]
		if i < len(phases)-1 {
			phases[i].Duration = time.Duration(phaseLengths[i] * float64(unit))
		}
	}
	return phases
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
