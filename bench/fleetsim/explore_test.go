package fleetsim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/resilient-go/resilient/backoff"
	"github.com/resilient-go/resilient/bench/fleetsim"
	"github.com/resilient-go/resilient/transport"
)

func TestExplore(t *testing.T) {
	mk := func(name string, f func(*transport.Config)) fleetsim.Kind {
		return fleetsim.Kind{Name: name, New: func(base http.RoundTripper, rand func() float64) (http.RoundTripper, error) {
			bo, _ := backoff.New(backoff.Config{Rand: rand})
			c := transport.Config{Base: base, Retry: transport.RetryConfig{Backoff: bo}}
			f(&c)
			return transport.New(c)
		}}
	}
	bud := func(name string, bc backoff.BudgetConfig) fleetsim.Kind {
		return mk(name, func(c *transport.Config) { b, _ := backoff.NewBudget(bc); c.Retry.Budget = b })
	}
	kinds := []fleetsim.Kind{
		mk("default", func(c *transport.Config) {}),
		bud("m2 f0.1", backoff.BudgetConfig{MaxTokens: 2, MinPerSecond: 0.1}),
		bud("m1 f0.1", backoff.BudgetConfig{MaxTokens: 1, MinPerSecond: 0.1}),
		bud("m1 nofloor", backoff.BudgetConfig{MaxTokens: 1, NoFloor: true}),
	}
	for _, n := range []int{1000, 10000} {
		for _, k := range kinds {
			for _, tr := range []fleetsim.Trigger{fleetsim.Outage} {
				res, err := fleetsim.Simulate(t, fleetsim.Config{Clients: n}, k, tr)
				if err != nil {
					t.Fatal(err)
				}
				s := res.Summary
				fmt.Printf("%5d %-12s %v load %.2f peak %.2f after %.2f good %.3f/%.3f unsent %d rec %v\n", n, k.Name, tr, s.TriggerLoad, s.PeakLoad, s.PeakLoadAfter, s.TriggerGoodput, s.AfterGoodput, s.TriggerUnsent, s.Recovery)
			}
		}
	}
}
