package balancer_test

import (
	"testing"

	"github.com/resilient-go/resilient/balancer"
)

// TestDefaultConfigIsACopy checks that the defaults cannot be changed
// from outside: a caller that changes what DefaultConfig returned changes
// its own copy, not the next caller's defaults.
func TestDefaultConfigIsACopy(t *testing.T) {
	c := balancer.DefaultConfig()
	c.PanicThreshold, c.Outlier.ConsecutiveFailures = 0.9, 1
	if d := balancer.DefaultConfig(); d.PanicThreshold != 0.5 || d.Outlier.ConsecutiveFailures != 5 {
		t.Fatalf("DefaultConfig after a caller changed its copy: %+v", d)
	}
}
