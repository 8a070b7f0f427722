package lclock_test

import (
	"testing"
	"time"

	"github.com/resilient-go/resilient/lclock"
)

// TestDefaultConfigIsACopy checks that the defaults cannot be changed
// from outside: a caller that changes what DefaultConfig returned changes
// its own copy, not the next caller's defaults.
func TestDefaultConfigIsACopy(t *testing.T) {
	c := lclock.DefaultConfig()
	c.MaxOffset = time.Hour
	if d := lclock.DefaultConfig(); d.MaxOffset != lclock.DefaultMaxOffset || d.WallClock == nil {
		t.Fatalf("DefaultConfig after a caller changed its copy: %+v", d)
	}
}
