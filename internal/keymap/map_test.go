package keymap_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/internal/keymap"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// val is a value that remembers its key and when it was last used.
type val struct {
	key  string
	used atomic.Int64
}

// lru returns a Config with max keys whose Evict removes the least
// recently used entry of the sample, by val.used, and records the
// evictions.
func lru(max int, evicted *[]string) keymap.Config[string, *val] {
	return keymap.Config[string, *val]{
		Max: max,
		New: func(k string) (*val, error) { return &val{key: k}, nil },
		Evict: func(s []keymap.Entry[string, *val]) {
			old := 0
			for i := range s {
				if s[i].Value.used.Load() < s[old].Value.used.Load() {
					old = i
				}
			}
			s[old].Evict = true
		},
		OnEvict: func(k string, v *val) {
			if k != v.key {
				panic("OnEvict: key and value differ")
			}
			if evicted != nil {
				*evicted = append(*evicted, k)
			}
		},
	}
}

func mustLoadOrNew[K comparable, V any](t testing.TB, m *keymap.Map[K, V], k K) V {
	t.Helper()
	v, err := m.LoadOrNew(k)
	if err != nil {
		t.Fatalf("LoadOrNew(%v): %v", k, err)
	}
	return v
}

func keys[V any](m *keymap.Map[string, V]) []string {
	var ks []string
	for k := range m.All() {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestLoadOrNewOnePerKey(t *testing.T) {
	news := 0
	m := keymap.New(keymap.Config[string, *val]{
		Max: 10,
		New: func(k string) (*val, error) { news++; return &val{key: k}, nil },
	})
	if _, ok := m.Load("a"); ok {
		t.Fatal("Load of an absent key found it")
	}
	a := mustLoadOrNew(t, m, "a")
	b := mustLoadOrNew(t, m, "b")
	if a.key != "a" || b.key != "b" || mustLoadOrNew(t, m, "a") != a || news != 2 || m.Len() != 2 {
		t.Fatalf("a %q b %q, %d calls to New, len %d", a.key, b.key, news, m.Len())
	}
	if v, ok := m.Load("b"); !ok || v != b {
		t.Fatalf("Load(b) = %v, %v", v, ok)
	}
	if got := keys(m); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("All: %q", got)
	}
	n := 0
	for range m.All() {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("All went on after break: %d", n)
	}
}

func TestLoadOrNewError(t *testing.T) {
	boom := errors.New("boom")
	m := keymap.New(keymap.Config[string, int]{
		Max: 10,
		New: func(k string) (int, error) {
			if k == "bad" {
				return 0, boom
			}
			return len(k), nil
		},
	})
	if _, err := m.LoadOrNew("bad"); !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if _, ok := m.Load("bad"); ok || m.Len() != 0 {
		t.Fatalf("a key whose New failed was inserted (len %d)", m.Len())
	}
}

// TestEvictExactWhenSmall checks that a map no bigger than the sample
// shows Evict every entry: eviction is exactly the caller's policy.
func TestEvictExactWhenSmall(t *testing.T) {
	var evicted []string
	m := keymap.New(lru(4, &evicted))
	for i, k := range []string{"a", "b", "c", "d"} {
		mustLoadOrNew(t, m, k).used.Store(int64(10 - i)) // d is the oldest
	}
	mustLoadOrNew(t, m, "e")
	if got := keys(m); !slices.Equal(got, []string{"a", "b", "c", "e"}) || !slices.Equal(evicted, []string{"d"}) {
		t.Fatalf("keys %q, evicted %q; want d evicted", got, evicted)
	}
	if _, ok := m.Load("d"); ok {
		t.Fatal("evicted key still loads")
	}
}

// TestEvictSeveral checks that every marked entry goes, and that the new
// key then fills one of the freed places.
func TestEvictSeveral(t *testing.T) {
	var evicted []string
	c := lru(4, &evicted)
	c.Evict = func(s []keymap.Entry[string, *val]) {
		for i := range s {
			s[i].Evict = s[i].Key < "c"
		}
	}
	m := keymap.New(c)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		mustLoadOrNew(t, m, k)
	}
	slices.Sort(evicted)
	if got := keys(m); !slices.Equal(got, []string{"c", "d", "e"}) || !slices.Equal(evicted, []string{"a", "b"}) {
		t.Fatalf("keys %q, evicted %q", got, evicted)
	}
	mustLoadOrNew(t, m, "f") // room: evicts nothing
	if m.Len() != 4 || len(evicted) != 2 {
		t.Fatalf("len %d, evicted %q", m.Len(), evicted)
	}
}

// TestFullRefuses checks a map without Evict: past Max a new key gets
// ErrFull, without a call to New; known keys still load.
func TestFullRefuses(t *testing.T) {
	news := 0
	m := keymap.New(keymap.Config[string, int]{Max: 2, New: func(k string) (int, error) { news++; return news, nil }})
	mustLoadOrNew(t, m, "a")
	mustLoadOrNew(t, m, "b")
	if _, err := m.LoadOrNew("c"); !errors.Is(err, keymap.ErrFull) || news != 2 {
		t.Fatalf("err %v after %d calls to New; want ErrFull, 2", err, news)
	}
	if v := mustLoadOrNew(t, m, "a"); v != 1 {
		t.Fatalf("a = %d", v)
	}
	// A large map that never evicts holds exactly its first Max keys.
	big := keymap.New(keymap.Config[int, int]{Max: 1000, New: func(k int) (int, error) { return k, nil }})
	for k := range 3000 {
		_, err := big.LoadOrNew(k)
		if full := errors.Is(err, keymap.ErrFull); full != (k >= 1000) {
			t.Fatalf("key %d: err %v", k, err)
		}
	}
	if big.Len() != 1000 {
		t.Fatalf("len %d, want 1000", big.Len())
	}
}

// TestEvictNoneOverflows checks that when Evict marks nothing the key
// goes in beyond Max.
func TestEvictNoneOverflows(t *testing.T) {
	c := lru(2, nil)
	c.Evict = func([]keymap.Entry[string, *val]) {}
	m := keymap.New(c)
	for _, k := range []string{"a", "b", "c"} {
		mustLoadOrNew(t, m, k)
	}
	if m.Len() != 3 {
		t.Errorf("len %d, want 3", m.Len())
	}
}

// TestChurn cycles many more keys than Max through a sharded map: the
// bound holds, every key still there loads to its own value, and the map
// stays close to full.
func TestChurn(t *testing.T) {
	for _, max := range []int{5, 100, 1024} {
		t.Run(strconv.Itoa(max), func(t *testing.T) {
			evictions := 0
			c := lru(max, nil)
			c.OnEvict = func(string, *val) { evictions++ }
			m := keymap.New(c)
			for i := range 20 * max {
				k := "k" + strconv.Itoa(i)
				mustLoadOrNew(t, m, k).used.Store(int64(i))
				if m.Len() > max {
					t.Fatalf("len %d > Max %d", m.Len(), max)
				}
			}
			n := 0
			for k, v := range m.All() {
				n++
				if got, ok := m.Load(k); !ok || got != v || v.key != k {
					t.Fatalf("Load(%q) = %v, %v", k, got, ok)
				}
			}
			if n != m.Len() || n+evictions != 20*max || n != max {
				t.Fatalf("%d keys (len %d), %d evictions, for %d inserts and Max %d", n, m.Len(), evictions, 20*max, max)
			}
		})
	}
}

// TestBoundIsTheMaps checks that a sharded map holds Max keys, not each
// shard its share: keys that fit are never evicted, however unevenly they
// hash.
func TestBoundIsTheMaps(t *testing.T) {
	evictions := 0
	c := lru(1024, nil)
	c.OnEvict = func(string, *val) { evictions++ }
	m := keymap.New(c)
	for round := range 3 {
		for i := range 1024 {
			mustLoadOrNew(t, m, "k"+strconv.Itoa(i)).used.Store(int64(round*1024 + i))
		}
	}
	if evictions != 0 || m.Len() != 1024 {
		t.Fatalf("%d evictions, len %d, for 1024 keys in a map of 1024", evictions, m.Len())
	}
}

// TestApproximateLRU checks that sampling spares the keys in use: a hot
// set of keys used between inserts survives a stream of new keys.
func TestApproximateLRU(t *testing.T) {
	m := keymap.New(lru(1024, nil))
	var clock int64
	use := func(k string) {
		clock++
		mustLoadOrNew(t, m, k).used.Store(clock)
	}
	hot := make([]string, 100)
	for i := range hot {
		hot[i] = "hot" + strconv.Itoa(i)
	}
	for i := range 50000 {
		use("cold" + strconv.Itoa(i))
		use(hot[i%len(hot)])
	}
	lost := 0
	for _, k := range hot {
		if _, ok := m.Load(k); !ok {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d hot keys evicted", lost, len(hot))
	}
}

// TestConcurrent races lookups, inserts and evictions (run with -race):
// every caller of a key gets a value of that key, and the bound holds.
func TestConcurrent(t *testing.T) {
	m := keymap.New(lru(64, nil))
	const goroutines, calls = 8, 4000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				k := "k" + strconv.Itoa((i*7+g)%200)
				v := mustLoadOrNew(t, m, k)
				if v.key != k {
					t.Errorf("LoadOrNew(%q) = value of %q", k, v.key)
					return
				}
				v.used.Store(int64(i))
				if lv, ok := m.Load(k); ok && lv.key != k {
					t.Errorf("Load(%q) = value of %q", k, lv.key)
					return
				}
			}
		})
	}
	wg.Wait()
	if m.Len() > 64 {
		t.Fatalf("len %d", m.Len())
	}
}

// TestConcurrentFirst checks that concurrent first callers of a key all
// get the one value, made by one call to New.
func TestConcurrentFirst(t *testing.T) {
	var news atomic.Int64
	m := keymap.New(keymap.Config[string, *val]{
		Max: 1000,
		New: func(k string) (*val, error) { news.Add(1); return &val{key: k}, nil },
	})
	const rounds = 50
	for round := range rounds {
		k := "k" + strconv.Itoa(round)
		got := make([]*val, 16)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range got {
			wg.Go(func() {
				start.Wait()
				got[i] = mustLoadOrNew(t, m, k)
			})
		}
		start.Done()
		wg.Wait()
		for _, v := range got {
			if v != got[0] {
				t.Fatalf("round %d: different values for one key", round)
			}
		}
	}
	if n := news.Load(); n != rounds || m.Len() != rounds {
		t.Fatalf("%d calls to New, len %d; want %d", n, m.Len(), rounds)
	}
}

// TestLoadNoAlloc checks that looking up a known key does not allocate,
// with a string key and with a struct key.
func TestLoadNoAlloc(t *testing.T) {
	m := keymap.New(lru(1024, nil))
	for i := range 1000 {
		mustLoadOrNew(t, m, "host"+strconv.Itoa(i)+".example.com")
	}
	key := fmt.Sprint("host", 500, ".example.com")
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := m.LoadOrNew(key); err != nil {
			t.Fatal(err)
		}
		if _, ok := m.Load(key); !ok {
			t.Fatal("not found")
		}
	}); n != 0 {
		t.Errorf("string key: %v allocs", n)
	}
	type id struct{ host, service, method string }
	sm := keymap.New(keymap.Config[id, int]{Max: 10, New: func(id) (int, error) { return 1, nil }})
	k := id{"h", "s", "m"}
	if _, err := sm.LoadOrNew(k); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _ = sm.LoadOrNew(k) }); n != 0 {
		t.Errorf("struct key: %v allocs", n)
	}
}
