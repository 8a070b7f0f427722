package keymap_test

import (
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/resilient-go/resilient/internal/keymap"
)

func benchKeys(n int) []string {
	k := make([]string, n)
	for i := range k {
		k[i] = "h" + strconv.Itoa(i) + ".example.com"
	}
	return k
}

// BenchmarkLoad looks up known keys, 1,000 of them in turn.
func BenchmarkLoad(b *testing.B) {
	m := keymap.New(lru(1024, nil))
	keys := benchKeys(1000)
	for _, k := range keys {
		mustLoadOrNew(b, m, k)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.LoadOrNew(keys[i]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkCopyOnWriteLoad is what the map replaced, for reference: an
// atomic pointer to an immutable Go map, 1,000 keys looked up in turn.
func BenchmarkCopyOnWriteLoad(b *testing.B) {
	keys := benchKeys(1000)
	m := make(map[string]*val, len(keys))
	for _, k := range keys {
		m[k] = &val{key: k}
	}
	var p atomic.Pointer[map[string]*val]
	p.Store(&m)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if (*p.Load())[keys[i]] == nil {
			b.Fatal("not found")
		}
		if i++; i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkLoadParallel looks up one known key, one goroutine per core.
func BenchmarkLoadParallel(b *testing.B) {
	m := keymap.New(lru(1024, nil))
	mustLoadOrNew(b, m, "api.example.com")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.LoadOrNew("api.example.com"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkNewKey meets a new key on every call: 5,000 and 50,000 keys in
// turn through a map of 1,024, each insert evicting the least recently
// used of a sample.
func BenchmarkNewKey(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) { benchNewKey(b, n, false) })
	}
}

// BenchmarkNewKeyParallel is BenchmarkNewKey, one goroutine per core.
func BenchmarkNewKeyParallel(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) { benchNewKey(b, n, true) })
	}
}

func benchNewKey(b *testing.B, n int, parallel bool) {
	m := keymap.New(lru(1024, nil))
	keys := benchKeys(n)
	var clock atomic.Int64
	use := func(k string) bool {
		v, err := m.LoadOrNew(k)
		if err != nil {
			return false
		}
		v.used.Store(clock.Add(1))
		return true
	}
	for _, k := range keys {
		use(k)
	}
	b.ReportAllocs()
	if !parallel {
		i := 0
		for b.Loop() {
			if !use(keys[i]) {
				b.Fatal("LoadOrNew failed")
			}
			if i++; i == n {
				i = 0
			}
		}
		return
	}
	var goroutines atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(goroutines.Add(1)-1) * (n / runtime.GOMAXPROCS(0)) % n
		for pb.Next() {
			if !use(keys[i]) {
				b.Error("LoadOrNew failed")
				return
			}
			if i++; i == n {
				i = 0
			}
		}
	})
}
