package ctxwait_test

import (
	"context"
	"fmt"
	"time"

	"github.com/resilient-go/resilient/internal/ctxwait"
)

// A call let go by a recovery waits a random share of the break it sat
// through (here at most 200ms), then goes, unless its context ends first.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var timer *time.Timer
	d := ctxwait.SlowStart(ctx, ctxwait.Share(nil), 200*time.Millisecond, time.Second)
	went := ctxwait.Sleep(ctx, &timer, d)
	timer.Stop()
	fmt.Println("held under 200ms:", d < 200*time.Millisecond, "then went:", went)
	// Output:
	// held under 200ms: true then went: true
}
