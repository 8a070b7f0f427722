package backoff

import "time"

// BudgetWithClock returns c with now as its clock: the package's tests
// measure the floor's refill on a manual clock.
func BudgetWithClock(c BudgetConfig, now func() time.Time) BudgetConfig {
	c.now = now
	return c
}
