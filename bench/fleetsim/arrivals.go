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
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(mix(seed^0x6a09e667f3bcc908), mix(uint64(client))))
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}
}
