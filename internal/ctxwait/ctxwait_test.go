package ctxwait_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilient-go/resilient/internal/ctxwait"
)

func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var timer *time.Timer
		start := time.Now()
		if !ctxwait.Sleep(context.Background(), &timer, time.Second) || time.Since(start) != time.Second {
			t.Fatalf("Sleep(1s) ended after %v", time.Since(start))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if ctxwait.Sleep(ctx, &timer, time.Second) || time.Since(start) != 1100*time.Millisecond {
			t.Fatalf("Sleep past the context's end returned true, or at %v", time.Since(start))
		}
		timer.Stop()
	})
}

func TestSlowStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for range 1000 {
			if d := ctxwait.SlowStart(ctx, 5*time.Second, 2*time.Second); d < 0 || d >= 500*time.Millisecond {
				t.Fatalf("SlowStart = %v, want in [0, 500ms): half the second left", d)
			}
			if d := ctxwait.SlowStart(context.Background(), 300*time.Millisecond, time.Second); d < 0 || d >= 300*time.Millisecond {
				t.Fatalf("SlowStart = %v, want in [0, 300ms): the spread", d)
			}
		}
		if d := ctxwait.SlowStart(context.Background(), 0, time.Second); d != 0 {
			t.Fatalf("SlowStart with no spread = %v, want 0", d)
		}
	})
}

func TestAfterReusesTheTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var timer *time.Timer
		start := time.Now()
		<-ctxwait.After(&timer, time.Second)
		first := timer
		<-ctxwait.After(&timer, 2*time.Second)
		if timer != first || time.Since(start) != 3*time.Second {
			t.Fatalf("second wait: timer reused %v, ended at %v, want true and 3s", timer == first, time.Since(start))
		}
		timer.Stop()
	})
}
