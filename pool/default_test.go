package pool_test

import (
	"testing"

	"github.com/resilient-go/resilient/pool"
)

// TestDefaultConfigIsACopy checks that the defaults cannot be changed
// from outside: a caller that changes what DefaultConfig returned changes
// its own copy, not the next caller's defaults.
func TestDefaultConfigIsACopy(t *testing.T) {
	c := pool.DefaultConfig()
	c.MaxIdleConnsPerHost = 1
	if d := pool.DefaultConfig(); d.MaxIdleConnsPerHost != 64 {
		t.Fatalf("DefaultConfig after a caller changed its copy: %+v", d)
	}
}
