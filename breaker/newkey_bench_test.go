package breaker_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/breaker"
)

// The cost of a group's new key beside a known one: what a breaker costs
// to create (transport's BenchmarkNewHost measures it in the whole stack).
// BenchmarkGroupNewKey cycles through more keys than the group keeps
// (MaxKeys 1024 by default), so that every call creates a breaker and
// evicts another.

// BenchmarkGroupKnownKey admits and reports a success for 1,000 keys in
// turn, all of them in the group.
func BenchmarkGroupKnownKey(b *testing.B) {
	benchGroupKeys(b, false, 1000)
}

// BenchmarkGroupNewKey does the same for 5,000 and 50,000 keys.
func BenchmarkGroupNewKey(b *testing.B) {
	benchGroupKeys(b, false, 5000, 50000)
}

// BenchmarkGroupKnownKeyParallel is BenchmarkGroupKnownKey, one goroutine
// per core.
func BenchmarkGroupKnownKeyParallel(b *testing.B) {
	benchGroupKeys(b, true, 1000)
}

// BenchmarkGroupNewKeyParallel is BenchmarkGroupNewKey, one goroutine per
// core, each starting at its own place in the cycle.
func BenchmarkGroupNewKeyParallel(b *testing.B) {
	benchGroupKeys(b, true, 5000, 50000)
}

func benchGroupKeys(b *testing.B, parallel bool, counts ...int) {
	for _, n := range counts {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) {
			g, err := breaker.NewGroup(breaker.GroupConfig{})
			if err != nil {
				b.Fatal(err)
			}
			keys := make([]string, n)
			for i := range keys {
				keys[i] = "h" + strconv.Itoa(i) + ".example.com"
			}
			call := func(k string) bool {
				p, err := g.Allow(k)
				p.Success()
				return err == nil
			}
			for _, k := range keys {
				call(k)
			}
			b.ReportAllocs()
			if !parallel {
				i := 0
				for b.Loop() {
					if !call(keys[i]) {
						b.Fatal("rejected")
					}
					if i++; i == n {
						i = 0
					}
				}
				return
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(1)-1) * (n / 16) % n
				for pb.Next() {
					if !call(keys[i]) {
						b.Error("rejected")
						return
					}
					if i++; i == n {
						i = 0
					}
				}
			})
		})
	}
}
