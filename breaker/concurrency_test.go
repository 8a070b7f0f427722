package breaker_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

// probeWatch counts probes in flight per half-open generation and records
// the largest count seen.
type probeWatch struct {
	mu       sync.Mutex
	inFlight map[uint64]int
	max      int
}

func (w *probeWatch) start(gen uint64) {
	w.mu.Lock()
	if w.inFlight == nil {
		w.inFlight = map[uint64]int{}
	}
	w.inFlight[gen]++
	w.max = max(w.max, w.inFlight[gen])
	w.mu.Unlock()
}

func (w *probeWatch) end(gen uint64) {
	w.mu.Lock()
	w.inFlight[gen]--
	w.mu.Unlock()
}

// checkChain checks that the notified transitions, ordered by generation,
// form one unbroken chain of legal moves from a new breaker's closed state.
func checkChain(t *testing.T, changes []breaker.StateChange, manual bool) {
	t.Helper()
	auto := map[[2]breaker.State]bool{
		{breaker.Closed, breaker.Open}:     true,
		{breaker.Open, breaker.HalfOpen}:   true,
		{breaker.HalfOpen, breaker.Closed}: true,
		{breaker.HalfOpen, breaker.Open}:   true,
	}
	prev := breaker.Closed
	for i, c := range changes {
		if c.Generation != uint64(i+1) {
			t.Fatalf("change %d has generation %d: a transition was lost or notified twice", i, c.Generation)
		}
		if c.From != prev {
			t.Fatalf("generation %d: from %v, but the previous change went to %v", c.Generation, c.From, prev)
		}
		legal := auto[[2]breaker.State{c.From, c.To}]
		if manual && (c.To == breaker.Isolated || c.To == breaker.Disabled || c.To == breaker.Closed) {
			legal = true
		}
		if !legal {
			t.Fatalf("generation %d: illegal %v > %v", c.Generation, c.From, c.To)
		}
		prev = c.To
	}
}

// TestConcurrentPhases runs many goroutines through healthy, outage and
// recovery phases, in a synctest bubble, with both window kinds, and
// checks the invariants: never more than HalfOpenProbes probes in flight
// in a half-open state, an unbroken chain of legal transitions, and a
// breaker that recovers and ends consistent.
func TestConcurrentPhases(t *testing.T) {
	for _, w := range []breaker.Window{
		{Period: 100 * time.Millisecond, Buckets: 10},
		{Kind: breaker.CountWindow, Size: 20},
	} {
		t.Run(w.Kind.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var rec recorder
				const probes = 3
				b := mustNew(t, breaker.Config{
					MinThroughput:     10,
					FailureRatio:      0.5,
					SlowCallDuration:  3 * time.Millisecond,
					SlowCallRatio:     0.8,
					Window:            w,
					BreakDuration:     20 * time.Millisecond,
					HalfOpenProbes:    probes,
					HalfOpenSuccesses: 5,
					OnStateChange:     rec.record,
				})
				var watch probeWatch
				var admitted, rejected atomic.Int64
				start := time.Now()
				var wg sync.WaitGroup
				for g := range 16 {
					wg.Go(func() {
						rng := rand.New(rand.NewPCG(uint64(g), 42))
						for time.Since(start) < time.Second {
							p, err := b.Allow()
							if err != nil {
								rejected.Add(1)
								time.Sleep(time.Duration(1+rng.IntN(3)) * time.Millisecond)
								continue
							}
							admitted.Add(1)
							probe := p.State() == breaker.HalfOpen
							if probe {
								watch.start(p.Generation())
							}
							el := time.Since(start)
							failP := 0.05
							if el > 200*time.Millisecond && el < 600*time.Millisecond {
								failP = 0.9 // the outage
							}
							time.Sleep(time.Duration(rng.IntN(4)) * time.Millisecond)
							if probe {
								watch.end(p.Generation())
							}
							switch r := rng.Float64(); {
							case r < 0.05:
								p.Ignore()
							case r < failP:
								p.Failure()
							default:
								p.Success()
							}
						}
					})
				}
				wg.Wait()
				if watch.max > probes {
					t.Errorf("%d probes in flight in one half-open state, limit %d", watch.max, probes)
				}
				changes := rec.all()
				checkChain(t, changes, false)
				trips := 0
				for _, c := range changes {
					if c.To == breaker.Open {
						trips++
					}
				}
				if trips == 0 || rejected.Load() == 0 || admitted.Load() == 0 {
					t.Fatalf("the outage did not trip the breaker: %d trips, %d rejected", trips, rejected.Load())
				}
				// Quiet for a while: any break is over (the timer saw to it)
				// and the time window has emptied. Then recover.
				time.Sleep(time.Second)
				if s := b.State(); s != breaker.Closed && s != breaker.HalfOpen {
					t.Fatalf("state %v after a quiet second", s)
				}
				for i := 0; b.State() == breaker.HalfOpen; i++ {
					if i > 5 {
						t.Fatalf("did not close: %+v", b.Snapshot())
					}
					outcomes(t, b, breaker.Success, 1)
				}
				outcomes(t, b, breaker.Success, 7)
				s := b.Snapshot()
				if s.State != breaker.Closed || s.Trips != uint64(trips) || s.Rejected != uint64(rejected.Load()) {
					t.Fatalf("final snapshot %+v (trips %d, rejected %d)", s, trips, rejected.Load())
				}
				if w.Kind == breaker.TimeWindow && (s.Calls != 7 || s.Failures != 0 || s.Slow != 0) {
					t.Fatalf("final window %+v, want the 7 last calls", s)
				}
				if s.Calls > 20 || s.Failures > s.Calls || s.Slow > s.Calls || s.ConsecutiveFailures != 0 {
					t.Fatalf("final snapshot inconsistent: %+v", s)
				}
				synctest.Wait()
				checkChain(t, rec.all(), false)
			})
		})
	}
}

// TestConcurrentHammer runs goroutines that call as fast as they can, in
// real time (no sleeps), with short breaks so that real timers fire while
// calls race with transitions, and an operator making manual transitions.
// Run it with -race.
func TestConcurrentHammer(t *testing.T) {
	var rec recorder
	const probes = 2
	b := mustNew(t, breaker.Config{
		MinThroughput:       20,
		ConsecutiveFailures: 8,
		Window:              breaker.Window{Period: 10 * time.Millisecond, Buckets: 5},
		BreakDuration:       50 * time.Microsecond,
		HalfOpenProbes:      probes,
		HalfOpenSuccesses:   3,
		OnStateChange:       rec.record,
	})
	var watch probeWatch
	n := 4000
	if testing.Short() {
		n = 1000
	}
	var admitted atomic.Int64
	deadline := time.Now().Add(20 * time.Second) // a stuck breaker fails, not hangs
	var callers sync.WaitGroup
	for g := range 8 {
		callers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for i, spins := 0, 0; i < n; { // n admitted calls
				p, err := b.Allow()
				if err != nil {
					if spins++; spins%1024 == 0 && time.Now().After(deadline) {
						t.Errorf("stuck: %+v", b.Snapshot())
						return
					}
					runtime.Gosched()
					continue
				}
				i++
				admitted.Add(1)
				if p.State() == breaker.HalfOpen {
					watch.start(p.Generation())
					runtime.Gosched()
					watch.end(p.Generation())
				}
				failP := 0.05
				if (i/500)%3 != 0 { // a failing phase
					failP = 0.9
				}
				switch r := rng.Float64(); {
				case r < 0.02:
					p.Ignore()
				case r < failP:
					p.Failure()
				default:
					p.Success()
				}
				if g == 0 && i%1000 == 0 {
					_ = b.Snapshot()
				}
			}
		})
	}
	var stop atomic.Bool
	operator := make(chan struct{})
	go func() { // mostly automatic, with short manual episodes
		defer close(operator)
		// waitFor yields until the callers have made n more calls.
		waitFor := func(n int64) {
			for end := admitted.Load() + n; admitted.Load() < end && !stop.Load(); {
				runtime.Gosched()
			}
		}
		for !stop.Load() {
			waitFor(5000)
			b.Isolate()
			for range 100 {
				runtime.Gosched()
			}
			b.Disable()
			waitFor(500)
			b.Reset()
		}
	}()
	callers.Wait()
	stop.Store(true)
	<-operator
	if watch.max > probes {
		t.Errorf("%d probes in flight in one half-open state, limit %d", watch.max, probes)
	}
	b.Reset()
	outcomes(t, b, breaker.Success, 5)
	if s := b.Snapshot(); s.State != breaker.Closed || s.Calls != 5 || s.Failures != 0 {
		t.Fatalf("after Reset: %+v", s)
	}
	b.Reset() // no timer left behind
	// A timer's goroutine may still be delivering a notification of a
	// transition it made before the Resets: wait for every generation.
	gen := b.Snapshot().Generation
	for deadline := time.Now().Add(10 * time.Second); len(rec.all()) < int(gen); {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications for %d generations", len(rec.all()), gen)
		}
		runtime.Gosched()
	}
	checkChain(t, rec.all(), true)
	moves := map[string]int{}
	for _, p := range rec.path() {
		moves[p]++
	}
	t.Logf("transitions: %v", moves)
}
