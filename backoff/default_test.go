package backoff_test

import (
	"testing"
	"time"

	"github.com/resilient-go/resilient/backoff"
)

// TestDefaultConfigIsACopy checks that the defaults cannot be changed
// from outside: a caller that changes what DefaultConfig returned changes
// its own copy, not the next caller's defaults.
func TestDefaultConfigIsACopy(t *testing.T) {
	c := backoff.DefaultConfig()
	c.Base, c.Max = time.Hour, time.Hour
	if d := backoff.DefaultConfig(); d.Base != 100*time.Millisecond || d.Max != 10*time.Second {
		t.Fatalf("DefaultConfig after a caller changed its copy: %+v", d)
	}
	b := backoff.DefaultBudgetConfig()
	b.MaxTokens = 1000
	if d := backoff.DefaultBudgetConfig(); d.MaxTokens != 10 {
		t.Fatalf("DefaultBudgetConfig after a caller changed its copy: %+v", d)
	}
}
