package main

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// The second part of the demo: three replicas of one service, one of
// which degrades mid-run, and the same traffic through resilient without
// balancing, with round robin, and with Peak EWMA and outlier ejection.

// replicaPhase is one stretch of the replicas' run.
type replicaPhase struct {
	name  string
	units float64 // length, in units of -phase
	// degraded makes the bad replica answer degradedErrors of its
	// requests 503 and serve the rest degradedSlowdown times slower.
	degraded bool
}

var replicaPhases = []replicaPhase{
	{name: "healthy", units: 0.5},
	{name: "degraded", units: 2, degraded: true},
	{name: "recovered", units: 1},
}

const (
	numReplicas      = 3
	badReplica       = 2 // the index of the replica that degrades
	degradedErrors   = 0.9
	degradedSlowdown = 10
)

// replicaPhaseStarts returns when each phase starts, and when the last
// one ends.
func replicaPhaseStarts(unit time.Duration) (starts []time.Duration, end time.Duration) {
	for _, p := range replicaPhases {
		starts = append(starts, end)
		end += time.Duration(p.units * float64(unit))
	}
	return starts, end
}

// replicaPhaseAt returns the index of the phase running at elapsed.
func replicaPhaseAt(unit, elapsed time.Duration) int {
	starts, _ := replicaPhaseStarts(unit)
	i := 0
	for i+1 < len(starts) && elapsed >= starts[i+1] {
		i++
	}
	return i
}

// replicaSchedule is one replica's chaos schedule: the phases by name and
// length, and for the bad replica the degradation's 503s.
func replicaSchedule(unit time.Duration, bad bool) []chaos.Phase {
	out := make([]chaos.Phase, len(replicaPhases))
	for i, p := range replicaPhases {
		out[i].Name = p.name
		if i < len(replicaPhases)-1 { // the last phase lasts forever
			out[i].Duration = time.Duration(p.units * float64(unit))
		}
		if bad && p.degraded {
			out[i].Status, out[i].StatusCode = degradedErrors, http.StatusServiceUnavailable
		}
	}
	return out
}

// replica is one loopback server of the service, behind its own chaos
// injector. It serves as many requests at once as arrive, each in
// serviceMin–serviceMax, or degradedSlowdown times that when it is the
// bad replica and degraded. Its injector counts the requests that reach
// it, per phase.
type replica struct {
	server   *httptest.Server
	injector *chaos.Injector
	bad      bool

	phaseIndex map[string]int

	mu  sync.Mutex // guards rng
	rng *rand.Rand
}

func newReplica(cfg config, i int) (*replica, error) {
	bad := i == badReplica
	in, err := chaos.New(chaos.Config{Seed: cfg.seed + uint64(i), Phases: replicaSchedule(cfg.phase, bad)})
	if err != nil {
		return nil, err
	}
	r := &replica{injector: in, bad: bad, phaseIndex: make(map[string]int), rng: rand.New(rand.NewPCG(cfg.seed, uint64(i)))}
	for j, p := range replicaPhases {
		r.phaseIndex[p.name] = j
	}
	r.server = httptest.NewServer(in.Handler(http.HandlerFunc(r.serve)))
	return r, nil
}

func (r *replica) serve(w http.ResponseWriter, _ *http.Request) {
	d := r.serviceTime()
	if r.bad && replicaPhases[r.phaseIndex[r.injector.Phase()]].degraded {
		d *= degradedSlowdown
	}
	time.Sleep(d)
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

func (r *replica) serviceTime() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return serviceMin + time.Duration(r.rng.Int64N(int64(serviceMax-serviceMin)))
}

// requests returns the requests that reached the replica, per phase.
func (r *replica) requests() []int {
	var out []int
	for _, p := range r.injector.Stats().Phases {
		out = append(out, int(p.Requests))
	}
	return out
}

func (r *replica) close() {
	r.injector.Close()
	r.server.Close()
}
