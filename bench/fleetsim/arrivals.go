package fleetsim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// arrival is one call of the schedule.
type arrival struct {
	at       time.Duration // from the run's start
	client   int
	deadline time.Duration
}

// schedule draws every call of a run up front: each client a Poisson
// process at its share of the rate, with uniform deadlines, from a source
// of its own seeded from (seed, client); merged in order of time (then of
// client), so a call's index in it is its id.
func schedule(cfg Config) []arrival {
	perClient := cfg.Rate() / float64(cfg.Clients)
	span := cfg.DeadlineMax - cfg.DeadlineMin
	var out []arrival
	for c := range cfg.Clients {
		r := rand.New(rand.NewPCG(cfg.Seed, mix(uint64(c))))
		var t time.Duration
		for {
			t += time.Duration(r.ExpFloat64() / perClient * float64(time.Second))
			if t >= cfg.Duration() {
				break
			}
			out = append(out, arrival{at: t, client: c, deadline: cfg.DeadlineMin + time.Duration(r.Float64()*float64(span))})
		}
	}
	slices.SortFunc(out, func(a, b arrival) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.client, b.client))
	})
	return out
}

// clientRand is a client's own source for its library's jitter, seeded
// from (seed, client), safe for concurrent use.
func clientRand(seed uint64, client int) func() float64 {
	return lockedPCG(mix(seed^0x6a09e667f3bcc908), mix(uint64(client)))
}

// lockedPCG returns the draws of a PCG source seeded with (s1, s2),
// behind a mutex: safe for concurrent use.
func lockedPCG(s1, s2 uint64) func() float64 {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(s1, s2))
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}
}

// derive returns a source of its own for a second user of a client's
// random numbers, seeded from two draws of rand, safe for concurrent use.
// The breakers draw on every success: from rand itself, their draws and
// the backoff's would interleave in the order that goroutines run at one
// instant, where each source alone is drawn in the order of its own
// events.
func derive(rand func() float64) func() float64 {
	return lockedPCG(uint64(rand()*(1<<53)), uint64(rand()*(1<<53)))
}
