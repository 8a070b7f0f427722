package queue_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilient-go/resilient/queue"
)

// BenchmarkAcquireRelease is the uncontended fast path: a free slot,
// nobody waiting.
func BenchmarkAcquireRelease(b *testing.B) {
	q := mustNew(b, queue.Config{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Acquire(ctx); err != nil {
			b.Fatal(err)
		}
		q.Release()
	}
}

func BenchmarkTryAcquireRelease(b *testing.B) {
	q := mustNew(b, queue.Config{})
	b.ReportAllocs()
	for b.Loop() {
		if !q.TryAcquire() {
			b.Fatal("TryAcquire failed")
		}
		q.Release()
	}
}

// BenchmarkAcquireReleaseParallel is the fast path from every core at
// once; the limit is never reached, so the cost is the shared atomics.
func BenchmarkAcquireReleaseParallel(b *testing.B) {
	q := mustNew(b, queue.Config{Limit: 1 << 30})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if err := q.Acquire(ctx); err != nil {
				b.Error(err)
				return
			}
			q.Release()
		}
	})
}

// BenchmarkContended has one slot and many goroutines (8 per core): nearly
// every Acquire waits in the queue and every Release hands its slot over.
// For information: this is the slow path (a mutex, a clock reading, a
// waiter with a channel and a timer).
func BenchmarkContended(b *testing.B) {
	for _, p := range []queue.Policy{queue.AdaptiveLIFO, queue.FIFO} {
		b.Run(p.String(), func(b *testing.B) {
			q := mustNew(b, queue.Config{Limit: 1, MaxDepth: 1 << 20, MaxWait: time.Minute, Policy: p})
			var failed atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					if err := q.Acquire(ctx); err != nil {
						failed.Add(1) // CoDel may drop a waiter under this overload
						continue
					}
					q.Release()
				}
			})
			s := q.Stats()
			b.ReportMetric(float64(s.Queued)/float64(b.N), "queued/op")
			b.ReportMetric(float64(failed.Load())/float64(b.N), "failed/op")
		})
	}
}

// BenchmarkChanSemaphore is a buffered channel used as a semaphore, the
// usual hand-rolled limit, for comparison with BenchmarkAcquireRelease and
// BenchmarkAcquireReleaseParallel.
func BenchmarkChanSemaphore(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		sem := make(chan struct{}, 64)
		b.ReportAllocs()
		for b.Loop() {
			sem <- struct{}{}
			<-sem
		}
	})
	b.Run("parallel", func(b *testing.B) {
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sem <- struct{}{}
				<-sem
			}
		})
	})
}
