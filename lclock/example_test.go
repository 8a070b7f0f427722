package lclock_test

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/resilient-go/resilient/lclock"
)

// Two processes whose wall clocks disagree by 40ms: the reply is stamped
// after the request although its wall clock reads earlier.
func ExampleHLC() {
	base := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fast, _ := lclock.NewHLC(lclock.Config{WallClock: func() time.Time { return base.Add(40 * time.Millisecond) }})
	slow, _ := lclock.NewHLC(lclock.Config{WallClock: func() time.Time { return base }})

	req := fast.Tick()             // the fast process sends a request
	recv, _ := slow.Witness(req)   // the slow one receives it
	reply := slow.Tick()           // and replies
	done, _ := fast.Witness(reply) // the fast one receives the reply

	for _, s := range []lclock.Stamp{req, recv, reply, done} {
		fmt.Println(s.Wall().Format("15:04:05.000"), s.Logical())
	}

	// A peer whose clock is an hour ahead is refused, not followed.
	_, err := slow.Witness(lclock.HLCStamp(base.Add(time.Hour), 0))
	fmt.Println(errors.Is(err, lclock.ErrAhead), slow.Stats().Rejected)
	// Output:
	// 12:00:00.040 0
	// 12:00:00.040 1
	// 12:00:00.040 2
	// 12:00:00.040 3
	// true 1
}

func ExampleLamport() {
	var a, b lclock.Lamport // zero values are ready
	a.Tick()
	msg := a.Tick()           // a sends at 2
	b.Tick()                  // b has its own event at 1
	recv, _ := b.Witness(msg) // b receives at max(1, 2)+1
	fmt.Println(msg, recv, b.Now())
	// Output: 2 3 3
}

// A slog handler that stamps each line with the clock and the service.
func ExampleHandler() {
	var clock lclock.Lamport
	h, _ := lclock.NewHandler(
		slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime}),
		lclock.HandlerConfig{Clock: &clock, Service: "orders"},
	)
	log := slog.New(h)
	log.Info("order placed", "id", 7)
	_, _ = clock.Witness(41) // a reply from a service whose clock was at 41
	log.Info("payment confirmed", "id", 7)
	// Output:
	// {"level":"INFO","msg":"order placed","lclock":"1","service":"orders","id":7}
	// {"level":"INFO","msg":"payment confirmed","lclock":"43","service":"orders","id":7}
}

// dropTime removes the time from the example's output, which must not vary.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}
