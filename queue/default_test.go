package queue_test

import (
	"testing"
	"time"

	"github.com/resilient-go/resilient/queue"
)

// TestDefaultConfigIsACopy checks that the defaults cannot be changed
// from outside: a caller that changes what DefaultConfig returned changes
// its own copy, not the next caller's defaults.
func TestDefaultConfigIsACopy(t *testing.T) {
	c := queue.DefaultConfig()
	c.Limit, c.MaxWait = 1, time.Hour
	if d := queue.DefaultConfig(); d.Limit != 64 || d.MaxWait != time.Second {
		t.Fatalf("DefaultConfig after a caller changed its copy: %+v", d)
	}
}
