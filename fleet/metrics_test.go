package fleet_test

import (
	"strings"
	"testing"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/resilient-go/resilient/fleet"
)

// TestCollectorReportsStats scrapes a limiter whose Redis is unreachable:
// every call is decided by the fallback, Redis errors are counted, and the
// breaker around Redis is reported open once it tripped.
func TestCollectorReportsStats(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	l, err := fleet.New(fleet.Config{Redis: rdb, Limit: redis_rate.PerMinute(5), ExpectedReplicas: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range 8 {
		_ = l.Allow(t.Context(), "api.example")
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(fleet.Collector(l, prometheus.Labels{"client": "orders"}))

	s := l.Stats()
	if s.Fallback != 8 || s.Allowed != 1 || s.Rejected != 7 || s.RedisErrors == 0 {
		t.Fatalf("stats %+v: want 8 fallback decisions, 1 allowed, 7 rejected, some Redis errors", s)
	}
	want := `
# HELP resilient_fleet_calls_total Calls the fleet limiter decided, by result (allowed, rejected, canceled).
# TYPE resilient_fleet_calls_total counter
resilient_fleet_calls_total{client="orders",result="allowed"} 1
resilient_fleet_calls_total{client="orders",result="canceled"} 0
resilient_fleet_calls_total{client="orders",result="rejected"} 7
# HELP resilient_fleet_decisions_total Calls by what decided them: local (a lease or a cached answer), fleet (a Redis answer waited for), fallback (Redis unavailable).
# TYPE resilient_fleet_decisions_total counter
resilient_fleet_decisions_total{client="orders",source="fallback"} 8
resilient_fleet_decisions_total{client="orders",source="fleet"} 0
resilient_fleet_decisions_total{client="orders",source="local"} 0
# HELP resilient_fleet_keys Keys (hosts or user keys) tracked now.
# TYPE resilient_fleet_keys gauge
resilient_fleet_keys{client="orders"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"resilient_fleet_calls_total", "resilient_fleet_decisions_total", "resilient_fleet_keys"); err != nil {
		t.Fatal(err)
	}
	state := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "resilient_fleet_redis_breaker_state":
			for _, m := range mf.GetMetric() {
				for _, lp := range m.GetLabel() {
					if lp.GetName() == "state" {
						state[lp.GetValue()] = m.GetGauge().GetValue()
					}
				}
			}
		case "resilient_fleet_redis_errors_total":
			if got := mf.GetMetric()[0].GetCounter().GetValue(); got != float64(s.RedisErrors) {
				t.Errorf("redis errors %v, want %d", got, s.RedisErrors)
			}
		}
	}
	if len(state) != 5 || state[s.Breaker.String()] != 1 {
		t.Errorf("breaker state gauge %v, want 5 states with %s = 1", state, s.Breaker)
	}
}
