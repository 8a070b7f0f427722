package faulttest_test

import (
	"reflect"
	"testing"

	"github.com/resilient-go/resilient/faulttest"
	"github.com/resilient-go/resilient/internal/chaos"
)

// The public vocabulary must keep up with the engine's: a field added to
// the engine and forgotten here would be a fault users cannot reach.
func TestVocabularyMatchesTheEngine(t *testing.T) {
	pairs := []struct{ public, engine any }{
		{faulttest.Config{}, chaos.Config{}},
		{faulttest.Phase{}, chaos.Phase{}},
		{faulttest.Latency{}, chaos.Latency{}},
		{faulttest.Counts{}, chaos.Counts{}},
		{faulttest.PhaseStats{}, chaos.PhaseStats{}},
		{faulttest.Stats{}, chaos.Stats{}},
	}
	for _, p := range pairs {
		pub, eng := reflect.TypeOf(p.public), reflect.TypeOf(p.engine)
		if pub.NumField() != eng.NumField() {
			t.Errorf("%v has %d fields, %v has %d", pub, pub.NumField(), eng, eng.NumField())
			continue
		}
		for i := range pub.NumField() {
			pf, ef := pub.Field(i), eng.Field(i)
			if pf.Name != ef.Name || pf.Type.Kind() != ef.Type.Kind() {
				t.Errorf("%v field %d is %s %v; the engine's is %s %v", pub, i, pf.Name, pf.Type, ef.Name, ef.Type)
			}
		}
	}
	if faulttest.DefaultStatusCode != chaos.DefaultStatusCode || faulttest.DefaultSlowChunk != chaos.DefaultSlowChunk || faulttest.DefaultSlowDelay != chaos.DefaultSlowDelay {
		t.Error("the default constants differ from the engine's")
	}
}

// Every field of a Phase reaches the engine: a phase that sets them all
// behaves as set (checked here through New's validation of each one).
func TestEveryPhaseFieldIsPassedOn(t *testing.T) {
	bad := map[string]faulttest.Phase{
		"Duration":   {Duration: -1},
		"Latency":    {Latency: faulttest.Latency{P: 2, Dist: faulttest.Fixed(1)}},
		"Refuse":     {Refuse: 2},
		"Reset":      {Reset: 2},
		"Hang":       {Hang: 2},
		"Status":     {Status: 2},
		"StatusCode": {Status: 1, StatusCode: 1000},
		"RetryAfter": {Status: 1, RetryAfter: "\x00"},
		"Truncate":   {Truncate: 2},
		"SlowBody":   {SlowBody: 2},
		"SlowChunk":  {SlowChunk: -1},
		"SlowDelay":  {SlowDelay: -1},
	}
	for field, p := range bad {
		if _, err := faulttest.New(always(p)); err == nil {
			t.Errorf("a bad %s was accepted: the field does not reach the engine", field)
		}
	}
	if got := len(bad) + 1; got != reflect.TypeOf(faulttest.Phase{}).NumField() { // + Name
		t.Errorf("checked %d fields of Phase's %d", got, reflect.TypeOf(faulttest.Phase{}).NumField())
	}
}
