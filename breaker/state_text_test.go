package breaker_test

import (
	"encoding/json"
	"testing"

	"github.com/resilient-go/resilient/breaker"
)

// A State is its name in JSON, both ways; an unknown one is an error.
func TestStateJSON(t *testing.T) {
	for _, s := range []breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen, breaker.Isolated, breaker.Disabled} {
		b, err := json.Marshal(s)
		if err != nil || string(b) != `"`+s.String()+`"` {
			t.Errorf("Marshal(%v) = %s, %v; want %q", s, b, err, s.String())
		}
		var back breaker.State
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", b, back, err, s)
		}
	}
	if _, err := json.Marshal(breaker.State(42)); err == nil {
		t.Error("Marshal(State(42)) succeeded, want an error")
	}
	var s breaker.State
	if err := json.Unmarshal([]byte(`"ajar"`), &s); err == nil {
		t.Error(`Unmarshal("ajar") succeeded, want an error`)
	}
}
