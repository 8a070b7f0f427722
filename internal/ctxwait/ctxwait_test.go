package ctxwait_test

import (
	"context"
	"math"
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
		for _, tc := range []struct {
			ctx               context.Context
			share             float64
			spread, maxSpread time.Duration
			want              time.Duration
		}{
			{ctx, 0.5, 5 * time.Second, 2 * time.Second, 250 * time.Millisecond},                     // half the second left
			{context.Background(), 0.5, 300 * time.Millisecond, time.Second, 150 * time.Millisecond}, // the spread
			{context.Background(), 0.25, 3 * time.Second, time.Second, 250 * time.Millisecond},       // the max
			{context.Background(), 0.9, 0, time.Second, 0},                                           // no spread
		} {
			if d := ctxwait.SlowStart(tc.ctx, tc.share, tc.spread, tc.maxSpread); d != tc.want {
				t.Errorf("SlowStart(%v of %v, max %v) = %v, want %v", tc.share, tc.spread, tc.maxSpread, d, tc.want)
			}
		}
	})
}

func TestShare(t *testing.T) {
	for _, tc := range []struct {
		r    float64
		want float64
	}{
		{0.25, 0.25}, {0, 0}, {1, 1 - 0x1p-53}, {7, 1 - 0x1p-53}, {-1, 0}, {math.NaN(), 0},
	} {
		if got := ctxwait.Share(func() float64 { return tc.r }); got != tc.want {
			t.Errorf("Share(%v) = %v, want %v", tc.r, got, tc.want)
		}
	}
	for range 1000 {
		if x := ctxwait.Share(nil); x < 0 || x >= 1 {
			t.Fatalf("Share(nil) = %v, want in [0, 1)", x)
		}
	}
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
