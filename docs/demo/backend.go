package main

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/internal/chaos"
)

// The backend's model: a server with a fixed number of workers, each
// request taking serviceMin–serviceMax of one (mean serviceTime).
const (
	serviceMin  = 10 * time.Millisecond
	serviceMax  = 30 * time.Millisecond
	serviceTime = (serviceMin + serviceMax) / 2
)

// quotaShare is the brownout's quota, as a share of the offered rate: the
// backend admits that many requests per second and answers the rest 429
// with Retry-After: 1. quotaBurst is the quota's token bucket, in seconds
// of quota: a tenth of a second, so the quota holds over any stretch
// longer than that, as a rate limiter in front of an API does.
const (
	quotaShare = 0.65
	quotaBurst = 0.1
)

// backend is a loopback server of bounded capacity behind a chaos
// injector. At most workers requests are served at once; the rest wait in
// the server, in an unbounded queue, as in a thread-pool server: that
// queue is what makes a client that keeps sending collapse under
// overload. A request whose client gives up while it waits leaves the
// queue; one being served is served to the end, as real work is.
type backend struct {
	server   *httptest.Server
	injector *chaos.Injector
	workers  chan struct{} // a semaphore: one token per request in service
	quota    *rate.Limiter // the brownout's quota

	phaseIndex map[string]int
	throttled  []atomic.Uint64 // requests answered 429, per phase

	mu  sync.Mutex // guards rng
	rng *rand.Rand
}

func newBackend(cfg config) (*backend, error) {
	in, err := chaos.New(chaos.Config{Seed: cfg.seed, Phases: schedule(cfg.phase)})
	if err != nil {
		return nil, err
	}
	q := quotaShare * phases[brownout()].load * cfg.capacity()
	b := &backend{
		injector:   in,
		workers:    make(chan struct{}, cfg.workers()),
		quota:      rate.NewLimiter(rate.Limit(q), max(1, int(q*quotaBurst))),
		phaseIndex: make(map[string]int),
		throttled:  make([]atomic.Uint64, len(phases)),
		rng:        rand.New(rand.NewPCG(cfg.seed, 0)),
	}
	for i, p := range phases {
		b.phaseIndex[p.name] = i
	}
	b.server = httptest.NewServer(in.Handler(http.HandlerFunc(b.serve)))
	return b, nil
}

// brownout returns the index of the phase that has the quota.
func brownout() int {
	for i, p := range phases {
		if p.quota {
			return i
		}
	}
	panic("demo: no brownout phase")
}

// serve is the backend's own handler, behind the injector: the quota
// (checked first, as a gateway in front of the workers would), then a
// worker.
func (b *backend) serve(w http.ResponseWriter, r *http.Request) {
	phase := b.phaseIndex[b.injector.Phase()]
	if phases[phase].quota && !b.quota.Allow() {
		b.throttled[phase].Add(1)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "over quota", http.StatusTooManyRequests)
		return
	}
	select {
	case b.workers <- struct{}{}:
	case <-r.Context().Done():
		return // the client gave up while queued
	}
	defer func() { <-b.workers }()
	time.Sleep(b.serviceTime())
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

// serviceTime draws one request's service time, uniform over
// [serviceMin, serviceMax), from the seeded source.
func (b *backend) serviceTime() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return serviceMin + time.Duration(b.rng.Int64N(int64(serviceMax-serviceMin)))
}

// requests returns, per phase, the requests that reached the backend and
// those answered 429.
func (b *backend) requests() (reached, throttled []int) {
	for i, p := range b.injector.Stats().Phases {
		reached = append(reached, int(p.Requests))
		throttled = append(throttled, int(b.throttled[i].Load()))
	}
	return reached, throttled
}

func (b *backend) close() {
	b.injector.Close()
	b.server.Close()
}
