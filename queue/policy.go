package queue

import "strconv"

// Policy chooses which waiter a freed slot goes to, and whether waiters are
// dropped early under overload. The zero value is [AdaptiveLIFO].
type Policy int

const (
	// AdaptiveLIFO serves waiters first in, first out while the queue
	// empties regularly, and drops nobody before Config.MaxWait. Once the
	// queue has not been empty for Config.Interval (a standing queue: the
	// service is overloaded), it drops waiters older than Config.Target
	// with ErrTimeout and serves the newest waiter first, until the queue
	// empties again. So no wait lasts longer than max(Target, Interval).
	// This is the adaptive LIFO with CoDel of Facebook's "Fail at Scale"
	// (Maurer, ACM Queue 2015); see the package documentation.
	AdaptiveLIFO Policy = iota

	// FIFO serves waiters strictly in arrival order and lets each wait up
	// to Config.MaxWait, whatever the load. Target and Interval are not
	// used.
	FIFO

	numPolicies
)

// String returns "AdaptiveLIFO", "FIFO", or "Policy(n)" for an undefined
// value.
func (p Policy) String() string {
	switch p {
	case AdaptiveLIFO:
		return "AdaptiveLIFO"
	case FIFO:
		return "FIFO"
	default:
		return "Policy(" + strconv.Itoa(int(p)) + ")"
	}
}
