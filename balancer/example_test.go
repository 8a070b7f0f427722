package balancer_test

import (
	"fmt"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/discovery"
)

// Each attempt picks an endpoint and reports how it went; the balancer
// learns latencies and ejects an endpoint that keeps failing.
func Example() {
	b, err := balancer.New(balancer.Config{
		Policy:  balancer.RoundRobin,
		Outlier: balancer.OutlierConfig{ConsecutiveFailures: 2, BaseEjection: time.Minute},
		Hooks: balancer.Hooks{OnEject: func(e balancer.Ejection) {
			fmt.Println("ejected", e.Addr, "after", e.Reason)
		}},
	})
	if err != nil {
		panic(err)
	}
	_ = b.Update([]discovery.Endpoint{{Addr: "10.0.0.1:80"}, {Addr: "10.0.0.2:80"}, {Addr: "10.0.0.3:80"}})

	now := time.Now()
	for range 6 {
		p, err := b.Pick(now, nil)
		if err != nil {
			panic(err)
		}
		outcome := balancer.Success
		if p.Addr() == "10.0.0.2:80" {
			outcome = balancer.Failure // this replica is broken
		}
		fmt.Println(p.Addr(), outcome == balancer.Success)
		now = now.Add(5 * time.Millisecond)
		p.Done(now, outcome)
	}
	// Output:
	// 10.0.0.2:80 false
	// 10.0.0.3:80 true
	// 10.0.0.1:80 true
	// 10.0.0.2:80 false
	// ejected 10.0.0.2:80 after consecutive_failures
	// 10.0.0.3:80 true
	// 10.0.0.1:80 true
}
