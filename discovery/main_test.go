package discovery_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/discovery"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
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
