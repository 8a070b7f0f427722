package lclock_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/resilient-go/resilient/lclock"
)

// The property tests simulate processes that exchange messages at random
// (sends, out-of-order deliveries, local events), keep a vector clock per
// process as the oracle of happens-before, and check that for every pair
// of events e → f, stamp(e) < stamp(f).

// vclock is a vector clock: the oracle, not the code under test.
type vclock []int

// before reports whether a happened before b: a ≤ b componentwise, a ≠ b.
func (a vclock) before(b vclock) bool {
	less := false
	for i := range a {
		if a[i] > b[i] {
			return false
		}
		if a[i] < b[i] {
			less = true
		}
	}
	return less
}

type simEvent struct {
	proc  int
	vc    vclock
	stamp lclock.Stamp
	wall  int64 // the process's wall clock at the event, in ms
	kind  string
}

type simMsg struct {
	from  int
	vc    vclock
	stamp lclock.Stamp
}

// simulate runs steps random events over len(clocks) processes. wall(p)
// returns process p's wall clock in ms (the caller's fake clocks); advance
// moves global time forward.
func simulate(t *testing.T, rng *rand.Rand, clocks []lclock.Clock, steps int, wall func(p int) int64, advance func()) []simEvent {
	t.Helper()
	n := len(clocks)
	vcs := make([]vclock, n)
	for i := range vcs {
		vcs[i] = make(vclock, n)
	}
	inbox := make([][]simMsg, n)
	var events []simEvent
	record := func(p int, s lclock.Stamp, kind string) {
		vcs[p][p]++
		events = append(events, simEvent{proc: p, vc: append(vclock(nil), vcs[p]...), stamp: s, wall: wall(p), kind: kind})
	}
	for range steps {
		advance()
		p := rng.IntN(n)
		switch r := rng.IntN(3); {
		case r == 2 && len(inbox[p]) > 0: // deliver any pending message: the network reorders
			i := rng.IntN(len(inbox[p]))
			m := inbox[p][i]
			inbox[p] = append(inbox[p][:i], inbox[p][i+1:]...)
			s, err := clocks[p].Witness(m.stamp)
			if err != nil && !errors.Is(err, lclock.ErrAhead) {
				t.Fatalf("Witness: %v", err)
			}
			if err == nil { // an adopted stamp carries causality; a refused one does not
				for i := range vcs[p] {
					vcs[p][i] = max(vcs[p][i], m.vc[i])
				}
			}
			record(p, s, "recv")
		case r == 1:
			q := rng.IntN(n)
			s := clocks[p].Tick()
			record(p, s, "send")
			inbox[q] = append(inbox[q], simMsg{from: p, vc: events[len(events)-1].vc, stamp: s})
		default:
			record(p, clocks[p].Tick(), "local")
		}
	}
	return events
}

// checkHappensBefore fails unless e → f implies stamp(e) < stamp(f), and
// returns the number of causally related pairs in different processes,
// and of concurrent pairs, to show the run exercised both.
func checkHappensBefore(t *testing.T, seed uint64, events []simEvent) (related, concurrent int) {
	t.Helper()
	for i := range events {
		for j := range events {
			e, f := events[i], events[j]
			switch {
			case e.vc.before(f.vc):
				if e.stamp >= f.stamp {
					t.Fatalf("seed %d: event %d (p%d %s, stamp %v) happened before event %d (p%d %s, stamp %v) but is not stamped earlier",
						seed, i, e.proc, e.kind, e.stamp, j, f.proc, f.kind, f.stamp)
				}
				if e.proc != f.proc {
					related++
				}
			case i < j && !f.vc.before(e.vc):
				concurrent++
			}
		}
	}
	return related, concurrent
}

func TestPropertyLamportHappensBefore(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 1))
		clocks := make([]lclock.Clock, 2+rng.IntN(5))
		for i := range clocks {
			clocks[i] = new(lclock.Lamport)
		}
		events := simulate(t, rng, clocks, 300, func(int) int64 { return 0 }, func() {})
		related, concurrent := checkHappensBefore(t, seed, events)
		if related == 0 || concurrent == 0 {
			t.Fatalf("seed %d: a degenerate run (%d related, %d concurrent pairs)", seed, related, concurrent)
		}
		for i, c := range clocks {
			if st := c.(*lclock.Lamport).Stats(); st.Rejected != 0 {
				t.Fatalf("seed %d: process %d rejected %d stamps", seed, i, st.Rejected)
			}
		}
	}
}

// TestPropertyHLC: skewed wall clocks (within ±MaxOffset/2 of global time,
// so any two within MaxOffset of each other) that drift and step back.
// Every stamp is ordered by happens-before, never behind its process's
// wall clock, and never more than MaxOffset ahead of it.
func TestPropertyHLC(t *testing.T) {
	const offset = 50 // ms
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 2))
		n := 2 + rng.IntN(5)
		global := int64(1_764_190_881_000)
		skew := make([]int64, n)
		walls := make([]*fakeWall, n)
		clocks := make([]lclock.Clock, n)
		for i := range clocks {
			skew[i] = rng.Int64N(offset+1) - offset/2
			walls[i] = newFakeWall(global + skew[i])
			clocks[i] = newHLC(t, walls[i], offset*time.Millisecond)
		}
		advance := func() {
			global += rng.Int64N(3) // often 0: many events per ms
			for i := range walls {
				if rng.IntN(20) == 0 { // NTP slews and steps, both ways
					skew[i] = max(-offset/2, min(offset/2, skew[i]+rng.Int64N(11)-5))
				}
				walls[i].set(global + skew[i])
			}
		}
		wall := func(p int) int64 { return walls[p].ms.Load() }
		events := simulate(t, rng, clocks, 300, wall, advance)
		related, concurrent := checkHappensBefore(t, seed, events)
		if related == 0 || concurrent == 0 {
			t.Fatalf("seed %d: a degenerate run (%d related, %d concurrent pairs)", seed, related, concurrent)
		}
		for i, e := range events {
			if d := e.stamp.Millis() - e.wall; d < 0 || d > offset {
				t.Fatalf("seed %d: event %d (p%d) stamped %d ms from its wall clock, want within [0, %d]", seed, i, e.proc, d, offset)
			}
		}
		for i, c := range clocks {
			if st := c.(*lclock.HLC).Stats(); st.Rejected != 0 {
				t.Fatalf("seed %d: process %d rejected %d stamps of peers within the offset", seed, i, st.Rejected)
			}
		}
	}
}

// TestPropertyHLCWildPeer: one process's wall clock runs an hour ahead.
// The others refuse its stamps and stay within MaxOffset of their own
// wall clocks; causality among the rest still holds.
func TestPropertyHLCWildPeer(t *testing.T) {
	const offset = 50 // ms
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 3))
		n := 3 + rng.IntN(3)
		global := int64(1_764_190_881_000)
		walls := make([]*fakeWall, n)
		clocks := make([]lclock.Clock, n)
		skew := func(p int) int64 {
			if p == 0 {
				return int64(time.Hour / time.Millisecond)
			}
			return int64(p) // within the offset
		}
		for i := range clocks {
			walls[i] = newFakeWall(global + skew(i))
			clocks[i] = newHLC(t, walls[i], offset*time.Millisecond)
		}
		advance := func() {
			global += rng.Int64N(3)
			for i := range walls {
				walls[i].set(global + skew(i))
			}
		}
		wall := func(p int) int64 { return walls[p].ms.Load() }
		events := simulate(t, rng, clocks, 300, wall, advance)
		checkHappensBefore(t, seed, events) // refused stamps carry no causality in the oracle
		var rejected uint64
		for i, c := range clocks {
			rejected += c.(*lclock.HLC).Stats().Rejected
			if i == 0 {
				continue
			}
			for _, e := range events {
				if e.proc == i && e.stamp.Millis()-e.wall > offset {
					t.Fatalf("seed %d: honest process %d dragged %d ms ahead of its wall clock", seed, i, e.stamp.Millis()-e.wall)
				}
			}
		}
		if rejected == 0 {
			t.Fatalf("seed %d: no stamp of the wild peer was refused", seed)
		}
	}
}
