package queue_test

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilient-go/resilient/queue"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func mustNew(t testing.TB, c queue.Config) *queue.Queue {
	t.Helper()
	q, err := queue.New(c)
	if err != nil {
		t.Fatalf("New(%+v): %v", c, err)
	}
	return q
}

// acquireAsync starts an Acquire in a new goroutine and returns where its
// result will arrive.
func acquireAsync(ctx context.Context, q *queue.Queue) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- q.Acquire(ctx) }()
	return ch
}

// fill takes every slot of q with TryAcquire.
func fill(t testing.TB, q *queue.Queue) {
	t.Helper()
	for i := range q.Limit() {
		if !q.TryAcquire() {
			t.Fatalf("TryAcquire %d of %d failed", i+1, q.Limit())
		}
	}
	if q.TryAcquire() {
		t.Fatalf("TryAcquire succeeded past the limit %d", q.Limit())
	}
}

// poll returns the result on ch if there is one, without waiting.
func poll(ch <-chan error) (err error, done bool) {
	select {
	case err := <-ch:
		return err, true
	default:
		return nil, false
	}
}

// mustAdmit fails unless ch holds a nil result now.
func mustAdmit(t testing.TB, ch <-chan error, what string) {
	t.Helper()
	err, done := poll(ch)
	if !done {
		t.Fatalf("%s: still waiting, want admitted", what)
	}
	if err != nil {
		t.Fatalf("%s: %v, want admitted", what, err)
	}
}

// mustWait fails if ch holds a result now.
func mustWait(t testing.TB, ch <-chan error, what string) {
	t.Helper()
	if err, done := poll(ch); done {
		t.Fatalf("%s: returned %v, want still waiting", what, err)
	}
}
