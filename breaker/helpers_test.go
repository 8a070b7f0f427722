package breaker_test

import (
	"cmp"
	"slices"
	"sync"
	"testing"

	"github.com/resilient-go/resilient/breaker"
)

func mustNew(t testing.TB, c breaker.Config) *breaker.Breaker {
	t.Helper()
	b, err := breaker.New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

// tripNow opens a closed breaker with failures (at most 1<<20 of them).
func tripNow(t testing.TB, b *breaker.Breaker) {
	t.Helper()
	for range 1 << 20 {
		p, err := b.Allow()
		if err != nil {
			break
		}
		p.Failure()
		if b.State() == breaker.Open {
			return
		}
	}
	if s := b.State(); s != breaker.Open {
		t.Fatalf("state %v after failures, want open", s)
	}
}

// outcomes reports n outcomes o, each on a fresh permit, failing the test
// on a rejection.
func outcomes(t testing.TB, b *breaker.Breaker, o breaker.Outcome, n int) {
	t.Helper()
	for i := range n {
		p, err := b.Allow()
		if err != nil {
			t.Fatalf("call %d of %d (%v): %v", i+1, n, o, err)
		}
		p.Done(o)
	}
}

// recorder collects notifications.
type recorder struct {
	mu      sync.Mutex
	changes []breaker.StateChange
}

func (r *recorder) record(c breaker.StateChange) {
	r.mu.Lock()
	r.changes = append(r.changes, c)
	r.mu.Unlock()
}

// all returns the changes in generation order (notifications from
// different goroutines may arrive out of order). It is meant for the
// changes of one breaker.
func (r *recorder) all() []breaker.StateChange {
	r.mu.Lock()
	c := append([]breaker.StateChange(nil), r.changes...)
	r.mu.Unlock()
	slices.SortStableFunc(c, func(a, b breaker.StateChange) int { return cmp.Compare(a.Generation, b.Generation) })
	return c
}

// path returns the transitions as "closed>open" strings.
func (r *recorder) path() []string {
	var p []string
	for _, c := range r.all() {
		p = append(p, c.From.String()+">"+c.To.String())
	}
	return p
}
