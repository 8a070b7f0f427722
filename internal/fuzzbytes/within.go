package fuzzbytes

import (
	"runtime"
	"testing"
	"time"
)

// The bounds a config's constructor must keep, whatever the config: the
// fuzz tests hold New (and Update) to them.
const (
	MaxTime  = 10 * time.Millisecond
	MaxAlloc = 4 << 20
)

// Within runs fn, the best of three when over a bound (a GC or a
// descheduling must not fail the test), and fails t when it takes longer
// than MaxTime or allocates more than MaxAlloc.
func Within(t testing.TB, what string, fn func()) {
	t.Helper()
	var best time.Duration
	var bestAlloc uint64
	for try := range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		fn()
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		a := after.TotalAlloc - before.TotalAlloc
		if try == 0 || d < best {
			best = d
		}
		if try == 0 || a < bestAlloc {
			bestAlloc = a
		}
		if best <= MaxTime && bestAlloc <= MaxAlloc {
			return
		}
	}
	if best > MaxTime {
		t.Errorf("%s took %v (limit %v)", what, best, MaxTime)
	}
	if bestAlloc > MaxAlloc {
		t.Errorf("%s allocated %d bytes (limit %d)", what, bestAlloc, MaxAlloc)
	}
}
