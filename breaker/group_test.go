package breaker_test

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

func mustGroup(t testing.TB, c breaker.GroupConfig) *breaker.Group {
	t.Helper()
	g, err := breaker.NewGroup(c)
	if err != nil {
		t.Fatalf("NewGroup: %v", err)
	}
	return g
}

// keys returns the group's keys, sorted.
func keys(g *breaker.Group) []string {
	var k []string
	g.Range(func(key string, b *breaker.Breaker) bool {
		k = append(k, key)
		return true
	})
	slices.Sort(k)
	return k
}

// TestGroupOnePerKey checks that a Group creates one breaker per key,
// named after it, from the template, and that breakers are independent.
func TestGroupOnePerKey(t *testing.T) {
	var rec recorder
	var tpl []string
	g := mustGroup(t, breaker.GroupConfig{
		Breaker: breaker.Config{
			Name:                "ignored",
			ConsecutiveFailures: 2,
			BreakDuration:       time.Hour,
			OnStateChange:       func(c breaker.StateChange) { tpl = append(tpl, c.Name) },
		},
		OnStateChange: rec.record,
	})
	a, b := g.Get("a.example.com"), g.Get("b.example.com")
	if a == b || g.Get("a.example.com") != a || a.Name() != "a.example.com" || g.Len() != 2 {
		t.Fatalf("Get: %p %p %p, len %d", a, b, g.Get("a.example.com"), g.Len())
	}
	for range 2 {
		p, err := g.Allow("a.example.com")
		if err != nil {
			t.Fatal(err)
		}
		p.Failure()
	}
	if a.State() != breaker.Open || b.State() != breaker.Closed {
		t.Fatalf("states %v %v", a.State(), b.State())
	}
	if _, err := g.Allow("a.example.com"); err == nil || err.Error()[:24] != `breaker "a.example.com" ` {
		t.Fatalf("Allow of an open key: %v", err)
	}
	if c := rec.all(); len(c) != 1 || c[0].Name != "a.example.com" || c[0].To != breaker.Open {
		t.Fatalf("group notifications %+v", c)
	}
	if !slices.Equal(tpl, []string{"a.example.com"}) {
		t.Fatalf("template notifications %q", tpl)
	}
	snaps := g.Snapshots()
	if len(snaps) != 2 || snaps[0].Name != "a.example.com" || snaps[0].State != breaker.Open || snaps[1].Name != "b.example.com" {
		t.Fatalf("Snapshots %+v", snaps)
	}
	n := 0
	g.Range(func(string, *breaker.Breaker) bool { n++; return false })
	if n != 1 {
		t.Fatalf("Range visited %d after false", n)
	}
	a.Reset() // stop the timer
}

// TestGroupSnapshotsSorted checks the order of Snapshots.
func TestGroupSnapshotsSorted(t *testing.T) {
	g := mustGroup(t, breaker.GroupConfig{})
	for _, k := range []string{"m", "c", "z", "a", "q"} {
		g.Get(k)
	}
	var names []string
	for _, s := range g.Snapshots() {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"a", "c", "m", "q", "z"}) {
		t.Fatalf("names %q", names)
	}
}

// TestGroupConcurrentGet checks that concurrent first Gets of one key all
// get the same breaker.
func TestGroupConcurrentGet(t *testing.T) {
	g := mustGroup(t, breaker.GroupConfig{})
	for round := range 20 {
		key := "k" + strconv.Itoa(round)
		got := make([]*breaker.Breaker, 16)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range got {
			wg.Go(func() {
				start.Wait()
				got[i] = g.Get(key)
			})
		}
		start.Done()
		wg.Wait()
		for _, b := range got {
			if b != got[0] {
				t.Fatalf("round %d: different breakers for one key", round)
			}
		}
	}
	if g.Len() != 20 {
		t.Fatalf("len %d", g.Len())
	}
}

// TestGroupEvictsIdle checks that inserting beyond MaxKeys evicts the
// closed breakers idle for IdleAfter, and only them.
func TestGroupEvictsIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := mustGroup(t, breaker.GroupConfig{MaxKeys: 4, IdleAfter: time.Minute, Breaker: breaker.Config{ConsecutiveFailures: 1, BreakDuration: time.Hour}})
		use := func(key string, o breaker.Outcome) {
			t.Helper()
			p, err := g.Allow(key)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			p.Done(o)
		}
		for _, k := range []string{"a", "b", "c", "d"} {
			g.Get(k)
		}
		open := g.Get("d")
		use("d", breaker.Failure) // open: never evicted for idleness
		time.Sleep(50 * time.Second)
		use("a", breaker.Success) // used 10s before the insert below
		time.Sleep(10 * time.Second)
		a := g.Get("a")
		g.Get("e") // b and c idle for 60s: evicted
		if got := keys(g); !slices.Equal(got, []string{"a", "d", "e"}) {
			t.Fatalf("keys %q, want a d e", got)
		}
		if g.Get("a") != a || g.Get("d") != open {
			t.Fatal("a kept breaker was replaced")
		}
		if g.Get("b") == nil || g.Len() != 4 { // b is back, new
			t.Fatalf("len %d", g.Len())
		}
		open.Reset()
	})
}

// TestGroupBoundHeld checks that when no breaker is idle the least
// recently used is evicted, whatever its state, so that the group never
// holds more than MaxKeys.
func TestGroupBoundHeld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := mustGroup(t, breaker.GroupConfig{MaxKeys: 3, IdleAfter: time.Hour, Breaker: breaker.Config{ConsecutiveFailures: 1}})
		g.Get("a")
		time.Sleep(time.Second)
		g.Get("b")
		time.Sleep(time.Second)
		g.Get("c")
		time.Sleep(time.Second)
		p, _ := g.Allow("a") // a is now the most recently used…
		p.Failure()          // …and open
		time.Sleep(time.Second)
		g.Get("d") // evicts b, the least recently used
		if got := keys(g); !slices.Equal(got, []string{"a", "c", "d"}) {
			t.Fatalf("keys %q, want a c d", got)
		}
		for i := range 50 {
			time.Sleep(time.Second)
			g.Get("x" + strconv.Itoa(i))
			if g.Len() > 3 {
				t.Fatalf("len %d > MaxKeys", g.Len())
			}
		}
		// a, open, was the least recently used in the end: evicted with
		// its timer stopped, so the bubble has nothing left to run.
		if slices.Contains(keys(g), "a") {
			t.Fatalf("keys %q still hold a", keys(g))
		}
	})
}

// TestGroupGetNoAlloc checks that looking up an existing key does not
// allocate.
func TestGroupGetNoAlloc(t *testing.T) {
	g := mustGroup(t, breaker.GroupConfig{})
	g.Get("api.example.com")
	key := strings.Clone("api.example.com") // another string, same key
	if n := testing.AllocsPerRun(1000, func() {
		p, err := g.Allow(key)
		if err != nil {
			t.Fatal(err)
		}
		p.Success()
	}); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

// TestGroupNewKeyCostFlat checks that a new key costs the same in a full
// group of 4096 keys as in a full group of 64: the group does not copy
// (or scan) its keys to insert one. Measured in bytes allocated per new
// key, which a copy of the key map multiplies.
func TestGroupNewKeyCostFlat(t *testing.T) {
	perKey := func(max int) float64 {
		g := mustGroup(t, breaker.GroupConfig{MaxKeys: max})
		keys := make([]string, max+200)
		for i := range keys {
			keys[i] = "host" + strconv.Itoa(i) + ".example.com"
		}
		for _, k := range keys[:max] {
			g.Get(k)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, k := range keys[max:] {
			g.Get(k)
		}
		runtime.ReadMemStats(&after)
		if g.Len() > max {
			t.Fatalf("len %d > %d", g.Len(), max)
		}
		return float64(after.TotalAlloc-before.TotalAlloc) / 200
	}
	small, large := perKey(64), perKey(4096)
	t.Logf("bytes allocated per new key: %.0f with 64 keys, %.0f with 4096", small, large)
	if large > 1.5*small {
		t.Fatalf("a new key allocates %.0f bytes in a group of 4096, %.0f in a group of 64", large, small)
	}
}
