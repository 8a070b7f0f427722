package breaker_test

import (
	"testing"

	"github.com/resilient-go/resilient/breaker"
)

// TestDefaultConfigIsACopy checks that the defaults cannot be changed
// from outside: changing what DefaultConfig returned changes neither the
// next caller's copy nor what New fills in for a zero field.
func TestDefaultConfigIsACopy(t *testing.T) {
	c := breaker.DefaultConfig()
	c.MinThroughput, c.Window.Buckets = 1, 1
	if d := breaker.DefaultConfig(); d.MinThroughput != 20 || d.Window.Buckets != 10 {
		t.Fatalf("DefaultConfig after a caller changed its copy: %+v", d)
	}
	if breaker.DefaultConfig().BreakBackoff != breaker.DefaultBreakBackoff() {
		t.Fatal("DefaultConfig's BreakBackoff is not DefaultBreakBackoff")
	}
	// One failure among MinThroughput-1 calls does not trip the zero
	// Config's breaker, with ConsecutiveFailures off.
	b := mustNew(t, breaker.Config{ConsecutiveFailures: -1, FailureRatio: 0.01})
	outcomes(t, b, breaker.Failure, 19)
	if s := b.State(); s != breaker.Closed {
		t.Fatalf("state %v after 19 failures, want closed (MinThroughput 20)", s)
	}
}
