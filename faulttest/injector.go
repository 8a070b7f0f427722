package faulttest

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Injector injects faults into the requests that pass through the
// RoundTrippers and Handlers it wraps: one seeded random source and one
// schedule of phases shared by all of them, counting what it injects.
//
// Create one with New; the zero Injector is not usable. An Injector is safe
// for concurrent use: decisions are drawn under a mutex, one fixed sequence
// of draws per request (latency sample, latency apply, fault), and counters
// are atomic. It starts no goroutine. Close releases the requests held by a
// Hang fault.
//
// Within a testing/synctest bubble, create the Injector inside the bubble:
// a Hang waits on a channel that New creates.
type Injector struct {
	now    func() time.Time
	seed   uint64
	phases []phase // fixed after New; each holds its counters

	closeOnce sync.Once
	closed    chan struct{}

	mu    sync.Mutex
	start time.Time  // requires mu held
	src   *rand.PCG  // requires mu held
	rng   *rand.Rand // requires mu held; draws from src
}

// New validates cfg and returns an Injector whose schedule starts now.
// A bad config gives an error wrapping ErrInvalidConfig that names the phase
// and field: no phase, a probability outside [0, 1], exclusive faults summing
// past 1, a negative Duration or a 0 Duration before the last phase, a bad
// latency distribution, a StatusCode outside [100, 999] when Status > 0, a
// control character in RetryAfter, a negative SlowChunk or SlowDelay.
func New(cfg Config) (*Injector, error) {
	phases, err := schedule(cfg.Phases)
	if err != nil {
		return nil, err
	}
	in := &Injector{
		now:    cfg.Now,
		seed:   cfg.Seed,
		phases: phases,
		closed: make(chan struct{}),
	}
	if in.now == nil {
		in.now = time.Now
	}
	in.src = rand.NewPCG(cfg.Seed, cfg.Seed)
	in.rng = rand.New(in.src)
	in.start = in.now()
	return in, nil
}

// Phase returns the name of the phase in force now.
func (in *Injector) Phase() string {
	t := in.now()
	in.mu.Lock()
	ph := phaseAt(in.phases, t.Sub(in.start))
	in.mu.Unlock()
	return ph.name
}

// Restart restarts the schedule from the first phase now and reseeds the
// random source with Config.Seed, so that a restarted run draws the same
// faults as a fresh Injector. Stats are not reset.
func (in *Injector) Restart() {
	t := in.now()
	in.mu.Lock()
	in.start = t
	in.src.Seed(in.seed, in.seed)
	in.mu.Unlock()
}

// Close releases every request held by a Hang fault, now and later: from
// then on a Hang returns at once (ErrClosed from a RoundTripper, an aborted
// connection from a Handler). The other faults keep working. Close is
// idempotent and safe for concurrent use. Call it before closing a server
// whose handler may hang, as httptest.Server.Close waits for its handlers.
func (in *Injector) Close() {
	in.closeOnce.Do(func() { close(in.closed) })
}

// decision is what one request gets.
type decision struct {
	ph    *phase
	delay time.Duration
	fault fault
}

// decide draws the phase, latency and fault of one request and counts it.
func (in *Injector) decide() decision {
	t := in.now()
	in.mu.Lock()
	ph := phaseAt(in.phases, t.Sub(in.start))
	uSample, uApply, uFault := in.rng.Float64(), in.rng.Float64(), in.rng.Float64()
	in.mu.Unlock()

	ph.stats.requests.Add(1)
	d := decision{ph: ph, fault: ph.pick(uFault)}
	if ph.dist != nil && uApply < ph.latP {
		d.delay = ph.dist.Sample(uSample) // user code: outside the lock
	}
	return d
}

// wait waits for the decided latency, if any, and counts it; it returns
// ctx.Err() if ctx ends first.
func (d *decision) wait(ctx context.Context) error {
	if d.delay <= 0 {
		return nil
	}
	d.ph.stats.delayed.Add(1)
	return sleep(ctx, d.delay)
}

// hang blocks until ctx ends (ctx.Err()) or the Injector is closed (ErrClosed).
func (in *Injector) hang(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-in.closed:
		return ErrClosed
	}
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
