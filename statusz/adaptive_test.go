package statusz_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/resilient-go/resilient/statusz"
	"github.com/resilient-go/resilient/transport"
)

// Hosts with an adaptive rate show it: "no throttle yet" while it is +Inf
// (which JSON cannot carry, so a flag says it), the rate once set.
func TestAdaptiveRate(t *testing.T) {
	snap := func() transport.Snapshot {
		return transport.Snapshot{Hosts: []transport.HostLoad{
			{Host: "fresh.test", AdaptiveRate: math.Inf(1)},
			{Host: "quota.test", AdaptiveRate: 12.5},
		}}
	}
	h := newHandler(t, snap, statusz.Config{})
	body := get(h, "/").Body.String()
	if r := row(t, body, "hosts", "fresh.test"); !strings.Contains(r, "no throttle yet") {
		t.Errorf("fresh host row %q, want \"no throttle yet\"", r)
	}
	if r := row(t, body, "hosts", "quota.test"); !strings.Contains(r, "12.5/s") {
		t.Errorf("throttled host row %q, want its rate 12.5/s", r)
	}

	var st struct {
		Hosts []struct {
			Host                string  `json:"host"`
			AdaptiveRate        float64 `json:"adaptive_rate"`
			AdaptiveUnthrottled bool    `json:"adaptive_unthrottled"`
		} `json:"hosts"`
	}
	rec := get(h, "/?format=json")
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatalf("JSON: %v\n%s", err, rec.Body)
	}
	got := map[string][2]any{}
	for _, x := range st.Hosts {
		got[x.Host] = [2]any{x.AdaptiveRate, x.AdaptiveUnthrottled}
	}
	if got["fresh.test"] != [2]any{0.0, true} || got["quota.test"] != [2]any{12.5, false} {
		t.Errorf("JSON hosts %v, want fresh.test unthrottled and quota.test at 12.5", got)
	}
}
