package dns_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/discovery"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// manualClock stands in for time.After: every wait a resolver asks for is
// reported on asked, and fires only when the test says so.
type manualClock struct {
	asked chan wait
}

type wait struct {
	d    time.Duration
	fire chan time.Time
}

func newManualClock() *manualClock {
	return &manualClock{asked: make(chan wait, 64)}
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	w := wait{d: d, fire: make(chan time.Time, 1)}
	c.asked <- w
	return w.fire
}

// next returns the next wait asked for, failing the test if none comes.
func (c *manualClock) next(t *testing.T) wait {
	t.Helper()
	select {
	case w := <-c.asked:
		return w
	case <-time.After(10 * time.Second):
		t.Fatal("the resolver asked for no wait")
		return wait{}
	}
}

// recorder collects the sets a subscriber receives.
type recorder struct {
	sets chan []string
}

func newRecorder() *recorder { return &recorder{sets: make(chan []string, 64)} }

func (r *recorder) fn(eps []discovery.Endpoint) {
	addrs := make([]string, len(eps))
	for i, e := range eps {
		addrs[i] = e.Addr
	}
	r.sets <- addrs
}

// next returns the next set delivered, failing the test if none comes.
func (r *recorder) next(t *testing.T) []string {
	t.Helper()
	select {
	case s := <-r.sets:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no set delivered")
		return nil
	}
}

// none fails the test if a set is waiting.
func (r *recorder) none(t *testing.T) {
	t.Helper()
	select {
	case s := <-r.sets:
		t.Fatalf("unexpected set %v", s)
	default:
	}
}
