package limiter_test

import (
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/time/rate"

	"github.com/resilient-go/resilient/limiter"
)

// TestRateNewKeyCostFlat checks that a new key costs the same with 4096
// keys as with 64: the Rate neither copies nor scans its keys to add one
// (evicting another included). Measured in bytes allocated per new key,
// which a copy of the key map multiplies.
func TestRateNewKeyCostFlat(t *testing.T) {
	perKey := func(max int) float64 {
		r := mustRate(t, limiter.RateConfig{Limit: rate.Inf, MaxKeys: max})
		keys := make([]string, max+200)
		for i := range keys {
			keys[i] = "host" + strconv.Itoa(i) + ".example.com"
		}
		for _, k := range keys[:max] {
			_ = r.Allow(k)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, k := range keys[max:] {
			_ = r.Allow(k)
		}
		runtime.ReadMemStats(&after)
		if s := r.Stats(); s.Keys > max || s.Keys+int(s.Evictions) != max+200 {
			t.Fatalf("Stats %+v: want at most %d keys, and every other key evicted", s, max)
		}
		return float64(after.TotalAlloc-before.TotalAlloc) / 200
	}
	small, large := perKey(64), perKey(4096)
	t.Logf("bytes allocated per new key: %.0f with 64 keys, %.0f with 4096", small, large)
	if large > 1.5*small {
		t.Fatalf("a new key allocates %.0f bytes among 4096 keys, %.0f among 64", large, small)
	}
}
