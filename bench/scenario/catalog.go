package scenario

import (
	"net/http"
	"time"

	"github.com/resilient-go/resilient/internal/chaos"
)

// The four contenders that every scenario runs.
func contenders() []Client {
	return []Client{Plain(), RetryableHTTP(), Failsafe(), Resilient()}
}

// Replicas returns the clients of a scenario with several replicas:
// resilient's default stack without balancing (a naive rotation over the
// addresses), with round robin, and with Peak EWMA and outlier ejection.
func Replicas() []Client {
	return []Client{ResilientRotation(), ResilientRoundRobin(), ResilientPeakEWMA()}
}

// Catalog returns the report's scenarios, seeded with seed. Phases last
// 1–4 s (the recovery after an outage longer: the breakers' default 5 s
// break is part of what it measures), so that the whole catalog runs in
// under two minutes.
func Catalog(seed uint64) []*Scenario {
	quick := Backend{ServiceMin: 5 * time.Millisecond, ServiceMax: 15 * time.Millisecond}
	return []*Scenario{
		{
			Name:  "outage",
			Title: "Total outage, then recovery",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 100},
				{Name: "outage", Duration: 3 * time.Second, Rate: 100,
					Fault: chaos.Phase{Status: 1, StatusCode: http.StatusServiceUnavailable}},
				{Name: "recovered", Duration: 6 * time.Second, Rate: 100},
			},
			Backend: quick, Deadline: 2 * time.Second, Healed: 2,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "refused",
			Title: "Connections refused for 3 s (the process down), then recovery",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 100},
				{Name: "refused", Duration: 3 * time.Second, Rate: 100, Refuse: true},
				{Name: "recovered", Duration: 6 * time.Second, Rate: 100},
			},
			Backend: quick, Deadline: 2 * time.Second, Healed: 2,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "longoutage",
			Title: "A 60 s outage: every request answered 503 for a minute",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 50},
				{Name: "outage start", Duration: 10 * time.Second, Rate: 50,
					Fault: chaos.Phase{Status: 1, StatusCode: http.StatusServiceUnavailable}},
				{Name: "outage", Duration: 50 * time.Second, Rate: 50,
					Fault: chaos.Phase{Status: 1, StatusCode: http.StatusServiceUnavailable}},
				// Long enough for the breaker's longest break (10 s).
				{Name: "recovered", Duration: 12 * time.Second, Rate: 50},
			},
			Backend: quick, Deadline: 2 * time.Second, Healed: 3,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "partial",
			Title: "Partial failure: 10 % then 30 % of requests answered 503",
			Phases: []Phase{
				{Name: "10% errors", Duration: 2 * time.Second, Rate: 200, Fault: chaos.Phase{Status: 0.1}},
				{Name: "30% errors", Duration: 2 * time.Second, Rate: 200, Fault: chaos.Phase{Status: 0.3}},
			},
			Backend: quick, Deadline: 2 * time.Second, Healed: -1,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "brownout",
			Title: "Brownout: every request answered 429 with Retry-After: 1",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 100},
				{Name: "brownout", Duration: 2 * time.Second, Rate: 100, Throttle: true},
				{Name: "after", Duration: 2 * time.Second, Rate: 100},
			},
			Backend: quick, Deadline: 2 * time.Second, Healed: 2,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "quota",
			Title: "Quota: three times a 100/s quota offered, the rest answered 429 with Retry-After: 1",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 100},
				{Name: "quota", Duration: 6 * time.Second, Rate: 300, Quota: 100},
				{Name: "after", Duration: 2 * time.Second, Rate: 100},
			},
			Backend: quick, Deadline: 2 * time.Second, Healed: 2,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "quotaclosed",
			Title: "Quota, closed loop: 16 callers back to back against a 200/s quota, the rest answered 429 with Retry-After: 1",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 100},
				{Name: "quota", Duration: 10 * time.Second, Callers: 16, Quota: 200},
				{Name: "after", Duration: 2 * time.Second, Rate: 100},
			},
			Backend: quick, Deadline: 10 * time.Second, Healed: 2,
			Clients: contenders(), Concurrent: true, Seed: seed,
		},
		{
			Name:  "overload",
			Title: "Overload: 2.5× the backend's capacity",
			Phases: []Phase{
				{Name: "healthy", Duration: time.Second, Rate: 100},
				{Name: "overload", Duration: 3 * time.Second, Rate: 500},
				{Name: "recovered", Duration: 2 * time.Second, Rate: 100},
			},
			// 4 workers × 1/20 ms = 200 requests/s.
			Backend:  Backend{Workers: 4, ServiceMin: 10 * time.Millisecond, ServiceMax: 30 * time.Millisecond},
			Deadline: time.Second, Healed: 2,
			Clients: append(contenders(), ResilientAdaptive(20*time.Millisecond)),
			Seed:    seed,
		},
		{
			Name:  "slowtail",
			Title: "Slow tail: 1 % of requests 50× slower",
			Phases: []Phase{
				{Name: "steady", Duration: 3 * time.Second, Rate: 400, SlowEvery: 100},
			},
			Backend:  Backend{ServiceMin: 5 * time.Millisecond, ServiceMax: 5 * time.Millisecond, SlowFactor: 50},
			Deadline: 2 * time.Second, Healed: -1,
			Clients: []Client{Plain(), RetryableHTTP(), Failsafe(), FailsafeHedge(), Resilient(), ResilientHedge()},
			Seed:    seed,
		},
		{
			Name:  "replicas",
			Title: "Replicas: one of three degrades, 90 % of its requests answered 503, the rest 10× slower",
			Phases: []Phase{
				{Name: "healthy", Duration: 2 * time.Second, Rate: 300},
				{Name: "degraded", Duration: 4 * time.Second, Rate: 300,
					Fault: chaos.Phase{Status: 0.9, StatusCode: http.StatusServiceUnavailable}, SlowEvery: 1},
				{Name: "recovered", Duration: 2 * time.Second, Rate: 300},
			},
			Backend:  Backend{ServiceMin: 5 * time.Millisecond, ServiceMax: 15 * time.Millisecond, SlowFactor: 10},
			Deadline: 2 * time.Second, Healed: 2,
			Replicas: 3, Faulty: 2,
			Clients: Replicas(), Seed: seed,
		},
	}
}
