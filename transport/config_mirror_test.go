package transport_test

import (
	"reflect"
	"testing"

	"github.com/resilient-go/resilient/balancer"
	"github.com/resilient-go/resilient/breaker"
	"github.com/resilient-go/resilient/limiter"
	"github.com/resilient-go/resilient/transport"
)

// The stage configs repeat their cores' settings (so that Config is
// flat): a setting a core gains must be repeated too, or New could not
// set it. Each core field is found in the stage config with the same
// type, under its own name or the one listed.
func TestStageConfigsMirrorCores(t *testing.T) {
	for _, tc := range []struct {
		core, stage reflect.Type
		skip        map[string]bool   // not a setting of the stage
		renamed     map[string]string // the core's name → the stage's
	}{
		{reflect.TypeFor[breaker.Config](), reflect.TypeFor[transport.BreakerConfig](),
			map[string]bool{"Name": true, "Rand": true}, nil}, // a group names each breaker by its key; Rand: a test hook, as limiter's
		{reflect.TypeFor[breaker.GroupConfig](), reflect.TypeFor[transport.BreakerConfig](),
			map[string]bool{"Breaker": true}, nil}, // the breaker settings, checked above
		{reflect.TypeFor[balancer.Config](), reflect.TypeFor[transport.BalanceConfig](), nil, nil},
		{reflect.TypeFor[limiter.ConcurrencyConfig](), reflect.TypeFor[transport.ConcurrencyConfig](),
			map[string]bool{"Gradient": true, "AIMD": true, "Now": true, "Rand": true}, nil}, // lifted below; test hooks
		{reflect.TypeFor[limiter.GradientConfig](), reflect.TypeFor[transport.ConcurrencyConfig](), nil, nil},
		{reflect.TypeFor[limiter.AIMDConfig](), reflect.TypeFor[transport.ConcurrencyConfig](), nil, map[string]string{"Timeout": "AIMDTimeout"}},
	} {
		for i := 0; i < tc.core.NumField(); i++ {
			f := tc.core.Field(i)
			if !f.IsExported() || tc.skip[f.Name] {
				continue
			}
			name := f.Name
			if n, ok := tc.renamed[name]; ok {
				name = n
			}
			sf, ok := tc.stage.FieldByName(name)
			if !ok || sf.Type != f.Type {
				t.Errorf("%v.%s (%v) has no match in %v", tc.core, f.Name, f.Type, tc.stage)
			}
		}
	}
}
