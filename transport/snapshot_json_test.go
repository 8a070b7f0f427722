package transport_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/pool"
	"github.com/resilient-go/resilient/queue"
	"github.com/resilient-go/resilient/transport"
)

// A Snapshot as JSON reads as a status page does: states by name,
// durations as strings, +Inf (no limit) as "+Inf" where encoding/json
// would fail, a zero time as null, fields in their declared order.
func TestSnapshotJSON(t *testing.T) {
	until := time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC)
	s := transport.Snapshot{
		RetryBudget: math.Inf(1),
		Breakers:    []breaker.Snapshot{{Name: "a.test", State: breaker.Open, OpenUntil: until}},
		Hosts: []transport.HostLoad{{Host: "a.test", AdaptiveRate: math.Inf(1),
			Queue: queue.Stats{TotalWait: 1500 * time.Millisecond}}},
		Pool:      &pool.Stats{Hosts: map[string]pool.HostStats{"b.test": {IdleTime: 2 * time.Second}, "a.test": {}}},
		Endpoints: []balancer.EndpointStats{{Latency: 12 * time.Millisecond}},
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	js := string(b)
	for _, want := range []string{
		`{"RetryBudget":"+Inf","Breakers":[{"Name":"a.test","State":"open"`,
		`"OpenUntil":"2026-12-08T01:02:03Z"`,
		`"PausedUntil":null`,
		`"AdaptiveRate":"+Inf"`,
		`"TotalWait":"1.5s"`,
		`"Hosts":{"a.test":{`, // map keys sorted
		`"IdleTime":"2s"`,
		`"Latency":"12ms"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("the JSON does not parse: %v\n%s", err, js)
	}
	// A finite budget stays a number; a nil pool is null.
	b, err = json.Marshal(transport.Snapshot{RetryBudget: 2.5})
	if err != nil || !strings.HasPrefix(string(b), `{"RetryBudget":2.5,"Breakers":null,"Hosts":null,"Pool":null`) {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}

// The Snapshot of a live stack marshals.
func TestSnapshotJSONLive(t *testing.T) {
	rt, err := transport.New(transport.Config{Base: okStub})
	mustNoErr(t, err)
	if _, err := get(t, rt, "http://a.test/"); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rt.Snapshot())
	if err != nil || !strings.Contains(string(b), `"State":"closed"`) {
		t.Errorf("Marshal(live snapshot) = %s, %v", b, err)
	}
}
