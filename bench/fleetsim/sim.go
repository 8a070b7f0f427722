package fleetsim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// target is the URL every call asks for; no DNS ever sees it.
const target = "http://backend.fleet.invalid/work"

// Simulate runs a fleet of cfg.Clients clients of kind through trig, in a
// testing/synctest bubble of its own (so t must not be inside one), and
// returns what happened. Time inside is virtual: the run takes the CPU
// its calls cost, not cfg.Duration of wall time.
//
// Every client gets its own stack from kind.New over one shared backend;
// the calls arrive as Config says, each under its own deadline, and the
// run ends when the last call has ended and the backend has served its
// queue.
func Simulate(t *testing.T, cfg Config, kind Kind, trig Trigger) (*Result, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Triggers(), trig) {
		return nil, fmt.Errorf("%w: trigger %d is none of Triggers()", ErrInvalidConfig, trig)
	}
	arrivals := schedule(cfg)
	var res *Result
	synctest.Test(t, func(*testing.T) {
		res, err = run(cfg, kind, trig, arrivals)
	})
	return res, err
}

// run is Simulate inside the bubble.
func run(cfg Config, kind Kind, trig Trigger, arrivals []arrival) (*Result, error) {
	start := time.Now()
	be := newBackend(cfg, trig, start)

	recs := make([]record, len(arrivals))
	heapBefore := heapInUse()
	clients := make([]*http.Client, cfg.Clients)
	for i := range clients {
		rt, err := kind.New(be, clientRand(cfg.Seed, i))
		if err != nil {
			return nil, fmt.Errorf("%s: client %d: %w", kind.Name, i, err)
		}
		clients[i] = &http.Client{Transport: rt}
	}

	var wg sync.WaitGroup
	for id, a := range arrivals {
		if d := a.at - time.Since(start); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() { recs[id] = callOnce(clients[a.client], uint64(id), a.deadline, start) })
	}
	wg.Wait()
	for !be.idle() {
		time.Sleep(100 * time.Millisecond)
	}
	if n := be.orphans.Load(); n > 0 {
		return nil, fmt.Errorf("%s: %d attempts reached the backend without their call's context", kind.Name, n)
	}
	// The clients' heap once they have all been used: a stack may build
	// its per-host state (breakers, limits) on its first call.
	var clientHeap uint64
	if after := heapInUse(); after > heapBefore {
		clientHeap = after - heapBefore
	}
	runtime.KeepAlive(clients)
	be.mu.Lock()
	seconds := be.seconds
	be.mu.Unlock()
	seconds, sum := summarize(cfg, recs, seconds)
	return &Result{Kind: kind.Name, Trigger: trig, Config: cfg, Seconds: seconds, Summary: sum, ClientHeap: clientHeap}, nil
}

// callOnce makes one call as a caller does: under its deadline, reading
// and closing the body of whatever answer comes.
func callOnce(client *http.Client, id uint64, deadline time.Duration, zero time.Time) record {
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	c := &call{id: id}
	ctx = context.WithValue(ctx, callKey{}, c)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		panic(err) // a constant URL
	}
	resp, err := client.Do(req)
	end := time.Now()
	good := err == nil && resp.StatusCode == http.StatusOK && end.Sub(begin) <= deadline
	if resp != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	return record{start: begin.Sub(zero), end: end.Sub(zero), good: good, unsent: !good && c.attempts.Load() == 0}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
