package lclock_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/lclock"
)

// TestConcurrentStampsAreUniqueAndIncreasing runs Tick and Witness from
// many goroutines at once (run it with -race): every stamp a clock hands
// out is unique, each goroutine sees its own stamps strictly increase,
// and a witnessed stamp is always passed.
func TestConcurrentStampsAreUniqueAndIncreasing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		clock lclock.Clock
	}{
		{"Lamport", new(lclock.Lamport)},
		{"HLC", new(lclock.HLC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const goroutines, per = 8, 2000
			c := tc.clock
			stamps := make([][]lclock.Stamp, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					var last lclock.Stamp
					out := make([]lclock.Stamp, 0, per)
					for i := range per {
						var s lclock.Stamp
						if i%3 == 0 {
							m := c.Now() + 5 // a peer slightly ahead
							var err error
							if s, err = c.Witness(m); err != nil {
								t.Errorf("Witness: %v", err)
								return
							}
							if s <= m {
								t.Errorf("Witness(%v) = %v, not past it", m, s)
								return
							}
						} else {
							s = c.Tick()
						}
						if s <= last {
							t.Errorf("goroutine %d: stamp %v after %v", g, s, last)
							return
						}
						last = s
						out = append(out, s)
					}
					stamps[g] = out
				})
			}
			wg.Wait()
			all := slices.Concat(stamps...)
			if len(all) != goroutines*per {
				t.Fatalf("got %d stamps, want %d", len(all), goroutines*per)
			}
			slices.Sort(all)
			for i := 1; i < len(all); i++ {
				if all[i] == all[i-1] {
					t.Fatalf("stamp %v handed out twice", all[i])
				}
			}
			if c.Now() != all[len(all)-1] {
				t.Fatalf("Now = %v, want the largest stamp %v", c.Now(), all[len(all)-1])
			}
		})
	}
}
