package scenario

import (
	"golang.org/x/time/rate"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// backend is one client's loopback server (one of its replicas, in a
// scenario with several): a chaos injector in front of a server of
// bounded capacity, which also throttles and slows requests when its
// phase says so (on the faulty replica only), and counts what it sees.
type backend struct {
	sc       *Scenario
	faulty   bool // the phases' Throttle and SlowEvery apply here
	server   *httptest.Server
	injector *chaos.Injector
	workers  chan struct{} // one token per request in service; nil: unlimited

	phaseIndex map[string]int

	// quietUntil is when the last Retry-After the server sent runs out,
	// in UnixNano: requests arriving before it were asked to stay away.
	quietUntil atomic.Int64
	intrusions []atomic.Int64  // requests arriving while asked to stay away, per phase
	throttled  []atomic.Int64  // requests answered 429, per phase
	served     atomic.Int64    // requests that reached the handler behind the injector
	quotas     []*rate.Limiter // per phase, for phases with a Quota
	slowOffset int64

	// Server-side connection accounting, from http.Server.ConnState.
	connsOpened, connsClosed atomic.Int64

	mu  sync.Mutex // guards rng, started and arrived
	rng *rand.Rand
	// started is when the traffic started; arrived holds when each
	// request arrived, from then (for the replicas' shares over time, in
	// a scenario with Replicas only).
	started time.Time
	arrived []time.Duration

	// The refusals of the phases with Refuse (see refusal.go); guarded
	// by mu.
	refusals  []*time.Timer
	closed    bool
	refuseErr error          // the server could not listen again (see listenAgain)
	serving   sync.WaitGroup // the servers started again after a refusal
}

func newBackend(sc *Scenario, replica int) (*backend, error) {
	seed := sc.Seed + uint64(replica) // replicas draw different service times
	in, err := chaos.New(chaos.Config{Seed: seed, Phases: sc.chaosPhases(replica)})
	if err != nil {
		return nil, err
	}
	b := &backend{
		sc:         sc,
		faulty:     replica == sc.Faulty,
		injector:   in,
		phaseIndex: make(map[string]int, len(sc.Phases)),
		intrusions: make([]atomic.Int64, len(sc.Phases)),
		throttled:  make([]atomic.Int64, len(sc.Phases)),
		quotas:     quotaLimiters(sc.Phases),
		rng:        rand.New(rand.NewPCG(seed, 1)),
	}
	b.slowOffset = b.rng.Int64N(1000)
	if sc.Backend.Workers > 0 {
		b.workers = make(chan struct{}, sc.Backend.Workers)
	}
	for i, p := range sc.Phases {
		b.phaseIndex[p.Name] = i
	}
	inner := in.Handler(http.HandlerFunc(b.serve))
	b.server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.front()
		inner.ServeHTTP(w, r)
	}))
	b.server.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			b.connsOpened.Add(1)
		case http.StateClosed, http.StateHijacked:
			b.connsClosed.Add(1)
		}
	}
	b.server.Start()
	return b, nil
}

// start aligns the injector's schedule with the traffic.
func (b *backend) start(traffic time.Time) {
	b.mu.Lock()
	b.started = traffic
	b.mu.Unlock()
	b.injector.Restart()
	b.scheduleRefusals(traffic)
}

// phase is the index of the phase in force on the server now.
func (b *backend) phase() int { return b.phaseIndex[b.injector.Phase()] }

// front sees every request before the injector: it counts those that
// arrive while the server has asked this client to stay away.
func (b *backend) front() {
	now := time.Now()
	if now.UnixNano() < b.quietUntil.Load() {
		b.intrusions[b.phase()].Add(1)
	}
	if b.sc.Replicas > 1 { // the shares over time matter only then
		b.mu.Lock()
		b.arrived = append(b.arrived, now.Sub(b.started))
		b.mu.Unlock()
	}
}

// arrivals returns when each request arrived, from the traffic's start.
func (b *backend) arrivals() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.arrived)
}

// serve is the server itself, behind the injector.
func (b *backend) serve(w http.ResponseWriter, r *http.Request) {
	i := b.phase()
	p := b.sc.Phases[i]
	if !b.faulty {
		p = Phase{} // a healthy replica
	}
	if q := b.quotas[i]; q != nil && !q.Allow() {
		b.throttled[i].Add(1)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "over quota", http.StatusTooManyRequests)
		return
	}
	if p.Throttle {
		b.throttled[i].Add(1)
		until := time.Now().Add(throttleRetryAfter).UnixNano()
		for {
			old := b.quietUntil.Load()
			if old >= until || b.quietUntil.CompareAndSwap(old, until) {
				break
			}
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(throttleRetryAfter/time.Second)))
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	n := b.served.Add(1)
	d := b.serviceTime()
	if p.SlowEvery > 0 && (n+b.slowOffset)%int64(p.SlowEvery) == 0 {
		factor := b.sc.Backend.SlowFactor
		if factor == 0 {
			factor = 50
		}
		d *= time.Duration(factor)
	}
	if b.workers != nil {
		select {
		case b.workers <- struct{}{}:
		case <-r.Context().Done():
			return // the client gave up while queued: it leaves the queue
		}
		defer func() { <-b.workers }()
	}
	// Work once started is done to the end, as real work is, even when
	// the client has gone: that waste is what overload costs.
	time.Sleep(d)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

// serviceTime draws one request's service time from the seeded source.
func (b *backend) serviceTime() time.Duration {
	lo, hi := b.sc.Backend.ServiceMin, b.sc.Backend.ServiceMax
	if hi <= lo {
		return lo
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return lo + time.Duration(b.rng.Int64N(int64(hi-lo)))
}

// openConns is the number of server-side connections not yet closed.
func (b *backend) openConns() int64 { return b.connsOpened.Load() - b.connsClosed.Load() }

func (b *backend) close() {
	b.stopRefusals()
	b.injector.Close()
	b.server.Close()
	b.serving.Wait()
}

// quotaLimiters returns each phase's quota bucket (nil for none): Quota
// per second, a tenth of a second's worth of burst.
func quotaLimiters(phases []Phase) []*rate.Limiter {
	out := make([]*rate.Limiter, len(phases))
	for i, p := range phases {
		if p.Quota > 0 {
			out[i] = rate.NewLimiter(rate.Limit(p.Quota), max(1, int(p.Quota/10)))
		}
	}
	return out
}
