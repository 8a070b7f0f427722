package queue_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilient-go/resilient/queue"
)

// callBackend stands for the guarded work: an HTTP request, a Twirp call, a
// database query.
func callBackend(context.Context) error { return nil }

// call guards callBackend with q: at most Limit at once, a few more
// waiting briefly, the rest rejected at once.
func call(ctx context.Context, q *queue.Queue) error {
	if err := q.Acquire(ctx); err != nil {
		return err // queue.ErrFull, queue.ErrTimeout, or ctx's error
	}
	defer q.Release()
	return callBackend(ctx)
}

func Example() {
	q, err := queue.New(queue.Config{Limit: 32}) // 32 at once, 32 more waiting, adaptive LIFO
	if err != nil {
		panic(err)
	}
	if err := call(context.Background(), q); err != nil {
		fmt.Println(err)
	}
	s := q.Stats()
	fmt.Println("admitted:", s.Admitted, "in flight:", s.InFlight)
	// Output:
	// admitted: 1 in flight: 0
}

func ExampleQueue_Acquire() {
	q, err := queue.New(queue.Config{Limit: 1, MaxWait: 50 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// The one slot is held…
	if err := q.Acquire(ctx); err != nil {
		panic(err)
	}
	// …so the next caller waits, and gives up after MaxWait…
	err = q.Acquire(ctx)
	fmt.Println("timed out:", errors.Is(err, queue.ErrTimeout))

	// …or when its context ends first; the error matches ctx.Err().
	ctx2, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	err = q.Acquire(ctx2)
	fmt.Println("deadline exceeded:", errors.Is(err, context.DeadlineExceeded))

	q.Release()
	fmt.Println("after Release:", q.Acquire(ctx))
	q.Release()
	// Output:
	// timed out: true
	// deadline exceeded: true
	// after Release: <nil>
}

func ExampleQueue_TryAcquire() {
	// NoQueue: a concurrency limit without a waiting room.
	q, err := queue.New(queue.Config{Limit: 2, NoQueue: true})
	if err != nil {
		panic(err)
	}
	for i := range 3 {
		fmt.Printf("TryAcquire %d: %v\n", i, q.TryAcquire())
	}
	// Acquire does not wait either: it fails at once with ErrFull.
	fmt.Println(q.Acquire(context.Background()))
	q.Release()
	q.Release()
	// Output:
	// TryAcquire 0: true
	// TryAcquire 1: true
	// TryAcquire 2: false
	// queue: full: 2 in flight (limit 2), queueing off (NoQueue)
}

func ExampleQueue_SetLimit() {
	q, err := queue.New(queue.Config{Limit: 4})
	if err != nil {
		panic(err)
	}
	held := 0
	for q.TryAcquire() {
		held++
	}
	fmt.Println("held:", held)

	// An adaptive limiter lowers the limit: nobody loses a slot, but new
	// slots are granted only once fewer than 2 are held.
	if err := q.SetLimit(2); err != nil {
		panic(err)
	}
	q.Release()
	fmt.Println("after one Release:", q.TryAcquire(), q.Stats().InFlight)
	q.Release()
	q.Release()
	fmt.Println("after three:", q.TryAcquire(), q.Stats().InFlight)

	fmt.Println(q.SetLimit(0))
	// Output:
	// held: 4
	// after one Release: false 3
	// after three: true 2
	// queue: invalid config: limit 0 must be at least 1
}

func ExampleNew() {
	_, err := queue.New(queue.Config{Limit: 8, MaxDepth: -1})
	fmt.Println(err)
	fmt.Println(errors.Is(err, queue.ErrInvalidConfig))
	// Output:
	// queue: invalid config: MaxDepth -1 is negative (set NoQueue to turn queueing off)
	// true
}

func ExampleWaitHistogram() {
	h := queue.WaitHistogram{120, 30, 4, 1, 0, 0}
	fmt.Println(h)
	for i := range queue.WaitBuckets {
		if bound, ok := queue.WaitBucketBound(i); ok {
			fmt.Printf("waited ≤ %v: %d\n", bound, h[i])
		} else {
			fmt.Printf("waited longer: %d\n", h[i])
		}
	}
	// Output:
	// ≤1ms:120 ≤5ms:30 ≤25ms:4 ≤100ms:1 ≤500ms:0 >500ms:0
	// waited ≤ 1ms: 120
	// waited ≤ 5ms: 30
	// waited ≤ 25ms: 4
	// waited ≤ 100ms: 1
	// waited ≤ 500ms: 0
	// waited longer: 0
}
