package breaker_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/resilient-go/resilient/breaker"
)

func ExampleBreaker() {
	b, err := breaker.New(breaker.Config{
		Name:                "inventory",
		ConsecutiveFailures: 3, // trip after 3 failures in a row
		BreakDuration:       time.Minute,
	})
	if err != nil {
		panic(err)
	}

	// call guards one call to the inventory service.
	call := func(fail bool) error {
		p, err := b.Allow() // step 1: may I?
		if err != nil {
			return err // open: fail fast, nothing was sent
		}
		if fail { // the call itself
			p.Done(breaker.Failure) // step 2: report, exactly once
			return errors.New("503 Service Unavailable")
		}
		p.Done(breaker.Success)
		return nil
	}

	for i, fail := range []bool{false, true, true, true, false} {
		err := call(fail)
		switch {
		case errors.Is(err, breaker.ErrOpen):
			fmt.Printf("call %d: rejected (%v)\n", i+1, b.State())
		case err != nil:
			fmt.Printf("call %d: %v (%v)\n", i+1, err, b.State())
		default:
			fmt.Printf("call %d: ok (%v)\n", i+1, b.State())
		}
	}
	s := b.Snapshot()
	fmt.Printf("trips %d, rejected %d, open for %v\n", s.Trips, s.Rejected, time.Until(s.OpenUntil).Round(time.Minute))

	b.Reset() // an operator's override: closed again, window emptied
	fmt.Println(b.State())
	// Output:
	// call 1: ok (closed)
	// call 2: 503 Service Unavailable (closed)
	// call 3: 503 Service Unavailable (closed)
	// call 4: 503 Service Unavailable (open)
	// call 5: rejected (open)
	// trips 1, rejected 1, open for 1m0s
	// closed
}

func ExampleGroup() {
	g, err := breaker.NewGroup(breaker.GroupConfig{
		Breaker: breaker.Config{ConsecutiveFailures: 2, BreakDuration: time.Minute},
		OnStateChange: func(c breaker.StateChange) {
			fmt.Printf("  %s: %v -> %v\n", c.Name, c.From, c.To)
		},
	})
	if err != nil {
		panic(err)
	}
	healthy := map[string]bool{"a.example.com": false, "b.example.com": true}
	for _, host := range []string{"a.example.com", "b.example.com", "a.example.com", "b.example.com", "a.example.com"} {
		p, err := g.Allow(host) // one breaker per host, created on first use
		if err != nil {
			fmt.Printf("%s: %v\n", host, breaker.ErrOpen)
			continue
		}
		if healthy[host] {
			p.Success()
		} else {
			p.Failure()
		}
		fmt.Printf("%s: done\n", host)
	}
	for _, s := range g.Snapshots() {
		fmt.Printf("%s %v calls=%d failures=%d\n", s.Name, s.State, s.Calls, s.Failures)
	}
	// Output:
	// a.example.com: done
	// b.example.com: done
	//   a.example.com: closed -> open
	// a.example.com: done
	// b.example.com: done
	// a.example.com: breaker: open
	// a.example.com open calls=2 failures=2
	// b.example.com closed calls=2 failures=0
}

func ExampleConfig_countWindow() {
	b, err := breaker.New(breaker.Config{
		// Judge the last 10 calls, whatever their age: for destinations
		// called rarely, where a time window would seldom hold enough
		// calls.
		Window:        breaker.Window{Kind: breaker.CountWindow, Size: 10},
		MinThroughput: 10,
		FailureRatio:  0.3, // trip at 3 failures in the last 10 calls
	})
	if err != nil {
		panic(err)
	}
	failing := map[int]bool{2: true, 6: true, 11: true, 13: true}
	for call := 1; call <= 14; call++ {
		p, err := b.Allow()
		if err != nil {
			fmt.Printf("call %2d: rejected: %v\n", call, errors.Is(err, breaker.ErrOpen))
			break
		}
		if failing[call] {
			p.Failure()
		} else {
			p.Success()
		}
		s := b.Snapshot()
		fmt.Printf("call %2d: %d/%d failed, %v\n", call, s.Failures, s.Calls, s.State)
	}
	b.Reset()
	// Output:
	// call  1: 0/1 failed, closed
	// call  2: 1/2 failed, closed
	// call  3: 1/3 failed, closed
	// call  4: 1/4 failed, closed
	// call  5: 1/5 failed, closed
	// call  6: 2/6 failed, closed
	// call  7: 2/7 failed, closed
	// call  8: 2/8 failed, closed
	// call  9: 2/9 failed, closed
	// call 10: 2/10 failed, closed
	// call 11: 3/10 failed, open
	// call 12: rejected: true
}

func ExampleOpenError() {
	b, err := breaker.New(breaker.Config{Name: "payments"})
	if err != nil {
		panic(err)
	}
	b.Isolate() // an operator takes the destination out of service

	_, err = b.Allow()
	fmt.Println(err)
	var oe *breaker.OpenError
	if errors.As(err, &oe) {
		fmt.Println(oe.Key, oe.State, "retry time known:", !oe.RetryAt.IsZero())
	}

	b.Disable() // forced closed: admits all, never trips, still counts
	p, err := b.Allow()
	p.Failure()
	fmt.Println(err, b.Snapshot().Failures, b.State())
	// Output:
	// breaker "payments" isolated
	// payments isolated retry time known: false
	// <nil> 1 disabled
}
