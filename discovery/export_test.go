package discovery

import "time"

// WithAfter returns c with after as its clock: the package's tests fire
// a File's polls one at a time (manualClock).
func WithAfter(c FileConfig, after func(d time.Duration) <-chan time.Time) FileConfig {
	c.after = after
	return c
}
